import PostgresNIO

extension Error {
    /// True when this is a PostgreSQL `unique_violation` (SQLSTATE 23505).
    var isUniqueViolation: Bool { sqlState == "23505" }

    /// True when this is a PostgreSQL `foreign_key_violation` (SQLSTATE 23503).
    var isForeignKeyViolation: Bool { sqlState == "23503" }

    /// True when this is a PostgreSQL `check_violation` (SQLSTATE 23514).
    var isCheckViolation: Bool { sqlState == "23514" }

    /// True when PostgreSQL refused the statement for what it carries, not for its own state:
    /// data exceptions (class 22, e.g. 22021 U+0000 in text), integrity violations (23) and
    /// syntax or access errors (42). Retrying the same statement can never succeed.
    public var isPermanentStatementError: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("22") || sqlState.hasPrefix("23") || sqlState.hasPrefix("42")
    }

    /// True when PostgreSQL could not be reached or the connection was lost under the
    /// statement (a restart, a shutdown, the network): nothing about the statement itself, so
    /// the same statement may succeed on a retry. SQLSTATE classes 08 (connection exception)
    /// and 57P (operator intervention: shutdown, cannot connect now) count too.
    var isConnectionLoss: Bool {
        guard let error = self as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return true
        case .server:
            guard let sqlState else { return false }
            return sqlState.hasPrefix("08") || sqlState.hasPrefix("57P")
        default:
            return false
        }
    }

    /// The SQLSTATE of a server error, if this is one.
    var sqlState: String? {
        (self as? PSQLError)?.serverInfo?[.sqlState]
    }
}

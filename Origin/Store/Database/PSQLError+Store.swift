import PostgresNIO

extension Error {
    /// True when this is a PostgreSQL `unique_violation` (SQLSTATE 23505).
    var isUniqueViolation: Bool { sqlState == "23505" }

    /// True when this is a PostgreSQL `foreign_key_violation` (SQLSTATE 23503).
    var isForeignKeyViolation: Bool { sqlState == "23503" }

    /// True when this is a PostgreSQL `check_violation` (SQLSTATE 23514).
    var isCheckViolation: Bool { sqlState == "23514" }

    /// The SQLSTATE of a server error, if this is one.
    var sqlState: String? {
        (self as? PSQLError)?.serverInfo?[.sqlState]
    }
}

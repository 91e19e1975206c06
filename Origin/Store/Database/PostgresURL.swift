import Foundation
import PostgresNIO

/// Parses a `postgres://user:password@host:port/database?sslmode=…` URL into a
/// `PostgresClient.Configuration`.
///
/// `sslmode` accepts `disable` (the default, for loopback development), `prefer` and
/// `require`; certificate verification follows NIOSSL's client defaults.
public struct PostgresURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    /// `disable`, `prefer` or `require`.
    public var sslMode: String

    /// Parses `string`; throws `StoreError.configuration` when it is not a postgres URL.
    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw StoreError(.configuration, "not a postgres:// URL")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.configuration, "the postgres URL names no user")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw StoreError(.configuration, "unsupported sslmode \(mode)")
        }
        self.sslMode = mode
    }

    /// The same URL pointing at another database (used by tests to create scratch databases).
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// A pooled-client configuration for this URL.
    public func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "require": tls = .require(.makeClientConfiguration())
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: tls = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        // postgres-nio's pool opens connections for waiting requests only when a new request
        // comes or a connection comes back: when every connection closes (a PostgreSQL restart)
        // the requests already waiting would wait for the next one. It does always refill up
        // to `minimumConnections`, and the first connection back then serves the waiting ones
        // and opens more as they need.
        configuration.options.minimumConnections = 1
        return configuration
    }
}

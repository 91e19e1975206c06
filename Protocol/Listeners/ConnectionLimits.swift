/// Caps on the connections a process accepts from outside (docs/configuration.md,
/// "Connections"). Over a cap a new connection is closed as soon as it is accepted; the ones
/// already open keep working.
public struct ConnectionLimits: Sendable, Equatable {
    /// Open connections in total, over every listener sharing the limiter. Keep it below the
    /// open-file limit with room for the process's own descriptors (links, Redis, files).
    public var maxConnections: Int
    /// Open connections from one client: one IPv4 address, or one IPv6 /64 (what one host
    /// usually holds).
    public var maxConnectionsPerAddress: Int

    public init(maxConnections: Int = 16_000, maxConnectionsPerAddress: Int = 256) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }
}

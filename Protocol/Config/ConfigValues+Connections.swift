import StreamLyListeners

extension ConfigValues {
    /// Connection caps under `<prefix>.max` and `<prefix>.per.ip` (`connections.*` for the edge's
    /// public listeners, `link.connections.*` for an origin's link listener).
    public func connectionLimits(_ prefix: String, default defaults: ConnectionLimits) throws -> ConnectionLimits {
        ConnectionLimits(
            maxConnections: try int("\(prefix).max", default: defaults.maxConnections, range: 1...1_000_000),
            maxConnectionsPerAddress: try int("\(prefix).per.ip", default: defaults.maxConnectionsPerAddress, range: 1...1_000_000))
    }
}

#if canImport(Glibc)
import Glibc
#endif
import StreamLyListeners

/// Limits of the edge's public listeners (HTTP, HTTPS: docs/configuration.md, "Connections").
public struct ListenerLimits: Sendable {
    /// Caps per client address and in total, shared by the HTTP and HTTPS listeners
    /// (`connections.per.ip`, `connections.max`; the total is lowered at start-up to fit the
    /// open-file limit, see `EdgeService`).
    public var connections = ConnectionLimits()
    /// From accepting a connection to its first complete request head, the TLS handshake
    /// included (`http.header.timeout`): slowloris.
    public var headerTimeout: Duration = .seconds(10)
    /// A connection that sends nothing for this long while it owes a request part (the next
    /// request's head, or more of a body) is closed (`http.idle.timeout`); an HTTP/2
    /// connection with no open stream likewise. Not WebSockets: they are pinged.
    public var idleTimeout: Duration = .seconds(60)
    /// A connection whose peer reads not one byte of what the edge writes to it (more than
    /// the high write-buffer watermark stays queued) for this long is closed
    /// (`http.write.timeout`, `WriteStallHandler`): a slow reader. HTTP/1.1, HTTP/2 and
    /// WebSockets alike; a peer that reads, however slowly, or is idle is never cut.
    public var writeTimeout: Duration = .seconds(30)
    /// From accepting a TLS connection to the end of its handshake (`https.handshake.timeout`).
    public var tlsHandshakeTimeout: Duration = .seconds(10)
    /// Descriptors kept for the edge's own use (origin links, Redis, cache files, the media
    /// sockets, ICE-TCP) when the total is fitted to the open-file limit.
    public static let reservedDescriptors = 1_024

    public init() {}
}

extension ListenerLimits {
    /// The connection caps with the total lowered, if need be, to the open-file limit less
    /// `reservedDescriptors` (an edge that runs out of descriptors dies with every client),
    /// and a line for the log when it was lowered.
    func connections(openFileLimit: Int?) -> (limits: ConnectionLimits, lowered: String?) {
        guard let openFileLimit else { return (connections, nil) }
        let fitting = max(1, openFileLimit - Self.reservedDescriptors)
        guard connections.maxConnections > fitting else { return (connections, nil) }
        var limits = connections
        limits.maxConnections = fitting
        return (limits, "connections.max=\(connections.maxConnections) lowered to \(fitting): the open-file limit is "
                + "\(openFileLimit) and \(Self.reservedDescriptors) descriptors are kept for the edge's own use")
    }

    /// This process's soft open-file limit (`RLIMIT_NOFILE`), nil where it cannot be read.
    static func openFileLimit() -> Int? {
        #if os(Linux)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
        #else
        return nil
        #endif
    }
}

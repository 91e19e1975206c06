import NIOCore

/// The demultiplexing tables of one media socket (RFC 7983 on one port): ICE ufrag →
/// transport for STUN checks, remote address → transport for everything once a check from
/// that address was authenticated (mediasoup `WebRtcServer`); an ICE-TCP connection holds
/// its transport itself. Lives on the socket's event loop; never touched elsewhere.
final class MediaRouter {
    private var byUfrag: [String: WebRTCTransport] = [:]
    private var byAddress: [SocketAddress: WebRTCTransport] = [:]
    /// Open ICE-TCP connections (bound or not), for the limit and shutdown.
    private(set) var connections: Set<TCPMediaConnection> = []

    var transportCount: Int { byUfrag.count }

    func register(_ transport: WebRTCTransport) {
        byUfrag[transport.local.ice.ufrag] = transport
    }

    /// Removes the transport and every path bound to it (its TCP connections are closed).
    func unregister(_ transport: WebRTCTransport, paths: [MediaPath]) {
        if byUfrag[transport.local.ice.ufrag] === transport {
            byUfrag[transport.local.ice.ufrag] = nil
        }
        for path in paths {
            switch path {
            case .udp(let address):
                if byAddress[address] === transport { byAddress[address] = nil }
            case .tcp(let connection):
                if connection.transport === transport {
                    connection.transport = nil
                    connection.channel.close(promise: nil)
                }
            }
        }
    }

    /// `path` passed a check of `transport`: later datagrams on it go there.
    func bind(_ path: MediaPath, to transport: WebRTCTransport) {
        switch path {
        case .udp(let address): byAddress[address] = transport
        case .tcp(let connection): connection.transport = transport
        }
    }

    func connectionOpened(_ connection: TCPMediaConnection) {
        connections.insert(connection)
    }

    func connectionClosed(_ connection: TCPMediaConnection) {
        connections.remove(connection)
    }

    func transport(ufrag: Substring) -> WebRTCTransport? {
        byUfrag[String(ufrag)]
    }

    func transport(address: SocketAddress) -> WebRTCTransport? {
        byAddress[address]
    }

    /// Every transport, for shutdown; empties the tables.
    func removeAll() -> [WebRTCTransport] {
        defer {
            byUfrag.removeAll()
            byAddress.removeAll()
            for connection in connections { connection.channel.close(promise: nil) }
            connections.removeAll()
        }
        return Array(byUfrag.values)
    }
}

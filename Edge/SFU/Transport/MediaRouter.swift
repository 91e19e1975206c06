import NIOCore

/// The demultiplexing tables of one media socket (RFC 7983 on one port): remote address →
/// transport for everything once a check from that address was authenticated (mediasoup
/// `WebRtcServer`), ICE ufrag → transport for the checks themselves (`UfragTable`); an
/// ICE-TCP connection holds its transport itself. Lives on the socket's event loop; never
/// touched elsewhere.
final class MediaRouter {
    let ufrags: UfragTable
    private var byAddress: [SocketAddress: WebRTCTransport] = [:]
    /// Open ICE-TCP connections (bound or not), for the limit and shutdown.
    private(set) var connections: Set<TCPMediaConnection> = []

    init(ufrags: UfragTable) {
        self.ufrags = ufrags
    }

    /// Removes the transport and every path bound to it (its TCP connections are closed).
    func unregister(_ transport: WebRTCTransport, paths: [MediaPath]) {
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
        ufrags.transport(ufrag: ufrag)
    }

    func transport(address: SocketAddress) -> WebRTCTransport? {
        byAddress[address]
    }

    /// Every transport, for shutdown; empties the tables.
    func removeAll() -> [WebRTCTransport] {
        byAddress.removeAll()
        for connection in connections { connection.channel.close(promise: nil) }
        connections.removeAll()
        return ufrags.removeAll()
    }
}

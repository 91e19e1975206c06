import NIOCore

/// The demultiplexing tables of one media socket (RFC 7983 on one port): ICE ufrag →
/// transport for STUN checks, remote address → transport for everything once a check from
/// that address was authenticated (mediasoup `WebRtcServer`). Lives on the socket's event
/// loop; never touched elsewhere.
final class MediaRouter {
    private var byUfrag: [String: WebRTCTransport] = [:]
    private var byAddress: [SocketAddress: WebRTCTransport] = [:]

    var transportCount: Int { byUfrag.count }

    func register(_ transport: WebRTCTransport) {
        byUfrag[transport.local.ice.ufrag] = transport
    }

    /// Removes the transport and every address bound to it.
    func unregister(_ transport: WebRTCTransport, addresses: [SocketAddress]) {
        if byUfrag[transport.local.ice.ufrag] === transport {
            byUfrag[transport.local.ice.ufrag] = nil
        }
        for address in addresses where byAddress[address] === transport {
            byAddress[address] = nil
        }
    }

    /// `address` passed a check of `transport`: later datagrams from it go there.
    func bind(_ address: SocketAddress, to transport: WebRTCTransport) {
        byAddress[address] = transport
    }

    func unbind(_ address: SocketAddress, from transport: WebRTCTransport) {
        if byAddress[address] === transport { byAddress[address] = nil }
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
        }
        return Array(byUfrag.values)
    }
}

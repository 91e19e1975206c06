import Synchronization

/// ICE ufrag → transport, for routing STUN checks (the part of USERNAME before `:`).
/// Registration happens on the call's loop when a transport is made and must be visible to the
/// socket's loop at once (the peer may check as soon as it has the SDP), so this one table is
/// behind a mutex; it is read once per STUN check, never per media packet.
final class UfragTable: Sendable {
    private let transports = Mutex<[String: WebRTCTransport]>([:])

    var count: Int { transports.withLock { $0.count } }

    func register(_ transport: WebRTCTransport) {
        transports.withLock { $0[transport.local.ice.ufrag] = transport }
    }

    func unregister(_ transport: WebRTCTransport) {
        transports.withLock { table in
            if table[transport.local.ice.ufrag] === transport { table[transport.local.ice.ufrag] = nil }
        }
    }

    func transport(ufrag: Substring) -> WebRTCTransport? {
        let key = String(ufrag)
        return transports.withLock { $0[key] }
    }

    /// Every transport, for shutdown; empties the table.
    func removeAll() -> [WebRTCTransport] {
        transports.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
    }
}

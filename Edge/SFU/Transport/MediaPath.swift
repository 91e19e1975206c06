import NIOCore

/// Where a transport's datagrams come from and go to: a UDP remote address on the shared
/// socket, or one ICE-TCP connection (RFC 6544) carrying RFC 4571 frames.
enum MediaPath: Hashable, Sendable {
    case udp(SocketAddress)
    case tcp(TCPMediaConnection)

    /// The peer's address, for XOR-MAPPED-ADDRESS and logs.
    var remoteAddress: SocketAddress? {
        switch self {
        case .udp(let address): address
        case .tcp(let connection): connection.remoteAddress
        }
    }

    var transportProtocol: FiveTuple.TransportProtocol {
        switch self {
        case .udp: .udp
        case .tcp: .tcp
        }
    }
}

/// One accepted ICE-TCP connection. Its `transport` is set (on the socket's loop) once a check
/// on it was authenticated; until then only STUN is accepted on it.
// @unchecked Sendable: `transport` is only read and written on `channel.eventLoop` (the
// socket loop, where the router lives); the other properties are immutable.
final class TCPMediaConnection: Hashable, @unchecked Sendable {
    let channel: any Channel
    let remoteAddress: SocketAddress?
    var transport: WebRTCTransport?

    init(channel: any Channel) {
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
    }

    /// Writes `datagram` as one RFC 4571 frame (16-bit length, then the bytes).
    func write(_ datagram: ByteBuffer) {
        channel.write(datagram, promise: nil)
    }

    static func == (lhs: TCPMediaConnection, rhs: TCPMediaConnection) -> Bool { lhs === rhs }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

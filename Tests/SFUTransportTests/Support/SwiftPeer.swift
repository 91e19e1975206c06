import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative

/// The peer side played by hand over loopback: STUN checks built with `StunMessage`, a DTLS
/// client from `StreamLySFUNative`, SRTP sessions from its exported keys. Lets the tests see
/// each datagram the edge sends (or does not send).
final class SwiftPeer {
    /// How packets reach the edge: UDP datagrams, or RFC 4571 frames on an ICE-TCP connection.
    enum Link {
        case udp(UDPTestSocket)
        case tcp(TCPTestSocket)
    }

    let link: Link
    let server: SocketAddress
    let local: IceCredentials
    let certificate: SelfSignedCertificate
    let dtls: DTLSSession
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    private var random = SystemRandomNumberGenerator()

    init(group: any EventLoopGroup, server: MediaServer, tcp: Bool = false,
         dtlsRole: DTLSContext.Role = .client) async throws {
        if tcp {
            let bound = server.localTCPAddress
            self.server = try SocketAddress(ipAddress: "\(bound.ip)", port: Int(bound.port))
            link = .tcp(try await TCPTestSocket(group: group, server: self.server))
        } else {
            let bound = server.localAddress
            self.server = try SocketAddress(ipAddress: "\(bound.ip)", port: Int(bound.port))
            link = .udp(try await UDPTestSocket(group: group))
        }
        local = IceCredentials(ufrag: "peer", password: "peer-password-0123456789")
        certificate = try SelfSignedCertificate()
        dtls = try DTLSSession(context: DTLSContext(role: dtlsRole, certificate: certificate))
    }

    /// The UDP socket (UDP tests only).
    var socket: UDPTestSocket {
        guard case .udp(let socket) = link else { preconditionFailure("not a UDP peer") }
        return socket
    }

    /// The peer's own address as the edge sees it.
    var localAddress: SocketAddress {
        switch link {
        case .udp(let socket): socket.address
        case .tcp(let socket): socket.channel.localAddress!
        }
    }

    func send(_ packet: ByteBuffer) async throws {
        switch link {
        case .udp(let socket): try await socket.send(packet, to: server)
        case .tcp(let socket): try await socket.send(packet)
        }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await send(ByteBuffer(bytes: bytes))
    }

    func next() async throws -> ByteBuffer {
        switch link {
        case .udp(let socket): try await socket.next().data
        case .tcp(let socket): try await socket.next()
        }
    }

    /// The next RTP or RTCP packet (first byte 128–191, RFC 7983 §7), skipping what else
    /// arrives meanwhile: a DTLS flight or STUN answer the edge sent again because a loaded
    /// machine delayed ours.
    func nextRTP() async throws -> ByteBuffer {
        while true {
            let packet = try await next()
            if let first = packet.readableBytesView.first, (128...191).contains(first) { return packet }
        }
    }

    /// What the edge's `start(remote:)` gets for this peer.
    func remoteParameters(fingerprint: String? = nil) -> RemoteTransportParameters {
        RemoteTransportParameters(ufrag: local.ufrag, password: local.password,
                                  fingerprints: [SDPFingerprint(hashFunction: "sha-256",
                                                                value: fingerprint ?? certificate.sha256Fingerprint)],
                                  setup: dtls.context.role == .client ? .active : .passive)
    }

    /// A Binding request as a controlling full agent sends it (RFC 8445 §7.1).
    func bindingRequest(to remote: LocalTransportParameters, ufrag: String? = nil, password: String? = nil,
                        useCandidate: Bool = true) -> (StunTransactionID, ByteBuffer) {
        let id = StunTransactionID.random(using: &random)
        var attributes: [StunAttribute] = [
            .username("\(ufrag ?? remote.ice.ufrag):\(local.ufrag)"),
            .iceControlling(42),
            .priority(1_853_817_087),
        ]
        if useCandidate { attributes.append(.useCandidate) }
        let request = StunMessage(type: .bindingRequest, transactionID: id, attributes: attributes)
        let key = Array((password ?? remote.ice.password).utf8)
        return (id, request.serialize(integrityKey: key, fingerprint: true))
    }

    /// Sends a valid nominating check and returns the response.
    func nominate(_ remote: LocalTransportParameters) async throws -> StunMessage {
        let (id, request) = bindingRequest(to: remote)
        try await send(request)
        let response = try StunMessage.parse(try await next())
        guard response.transactionID == id else { throw TimeoutError(description: "response to another request") }
        return response
    }

    /// Runs the DTLS client handshake to completion and creates the SRTP sessions.
    func handshake() async throws {
        try await sendClientHello()
        try await finishHandshake()
    }

    func sendClientHello() async throws {
        for datagram in try dtls.start() { try await send(datagram) }
    }

    /// Answers the edge's DTLS datagrams until the handshake completes (either role).
    func finishHandshake() async throws {
        while !dtls.isHandshakeComplete {
            let datagram = try await next()
            for reply in try dtls.receive(Array(datagram.readableBytesView)) {
                try await send(reply)
            }
        }
        let keys = try dtls.srtpKeyingMaterial()
        outbound = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
        inbound = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
    }

    /// A plaintext RTP packet (RFC 3550 §5.1) with a recognisable payload.
    static func rtpPacket(payloadType: UInt8, ssrc: UInt32, sequenceNumber: UInt16, payload: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x80))
        buffer.writeInteger(payloadType)
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(UInt32(90_000))
        buffer.writeInteger(ssrc)
        buffer.writeBytes(payload)
        return Array(buffer.readableBytesView)
    }

    func close() async {
        switch link {
        case .udp(let socket): await socket.close()
        case .tcp(let socket): await socket.close()
        }
    }
}

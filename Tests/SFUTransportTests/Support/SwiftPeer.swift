import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative

/// The peer side played by hand over loopback: STUN checks built with `StunMessage`, a DTLS
/// client from `StreamLySFUNative`, SRTP sessions from its exported keys. Lets the tests see
/// each datagram the edge sends (or does not send).
final class SwiftPeer {
    let socket: UDPTestSocket
    let server: SocketAddress
    let local: IceCredentials
    let certificate: SelfSignedCertificate
    let dtls: DTLSSession
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    private var random = SystemRandomNumberGenerator()

    init(group: any EventLoopGroup, server: MediaServer) async throws {
        socket = try await UDPTestSocket(group: group)
        let bound = server.localAddress
        self.server = try SocketAddress(ipAddress: "\(bound.ip)", port: Int(bound.port))
        local = IceCredentials(ufrag: "peer", password: "peer-password-0123456789")
        certificate = try SelfSignedCertificate()
        dtls = try DTLSSession(context: DTLSContext(role: .client, certificate: certificate))
    }

    /// What the edge's `start(remote:)` gets for this peer.
    func remoteParameters(fingerprint: String? = nil) -> RemoteTransportParameters {
        RemoteTransportParameters(ufrag: local.ufrag, password: local.password,
                                  fingerprints: [SDPFingerprint(hashFunction: "sha-256",
                                                                value: fingerprint ?? certificate.sha256Fingerprint)],
                                  setup: .active)
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
        try await socket.send(request, to: server)
        let response = try StunMessage.parse(try await socket.next().data)
        guard response.transactionID == id else { throw TimeoutError(description: "response to another request") }
        return response
    }

    /// Runs the DTLS client handshake to completion and creates the SRTP sessions.
    func handshake() async throws {
        for datagram in try dtls.start() { try await socket.send(datagram, to: server) }
        while !dtls.isHandshakeComplete {
            let datagram = try await socket.next().data
            for reply in try dtls.receive(Array(datagram.readableBytesView)) {
                try await socket.send(reply, to: server)
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
        await socket.close()
    }
}

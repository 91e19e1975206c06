import StreamLySFUNative
import Testing

@Suite struct DTLSSessionTests {
    /// A connected client/server pair after an in-memory handshake.
    struct Pair {
        let server: DTLSSession
        let client: DTLSSession
        /// Every datagram either side sent during the handshake.
        let datagrams: [[UInt8]]
    }

    /// Shuttles datagrams between the two sessions until neither has anything to send.
    static func handshake(
        server serverContext: DTLSContext, client clientContext: DTLSContext, mtu: Int = 1200
    ) throws -> Pair {
        let server = try DTLSSession(context: serverContext, mtu: mtu)
        let client = try DTLSSession(context: clientContext, mtu: mtu)
        #expect(try server.start().isEmpty)
        var toServer = try client.start()
        var toClient: [[UInt8]] = []
        var all = toServer
        var rounds = 0
        while !(toServer.isEmpty && toClient.isEmpty) {
            rounds += 1
            try #require(rounds < 20, "handshake does not converge")
            toClient = try toServer.flatMap { try server.receive($0) }
            toServer = try toClient.flatMap { try client.receive($0) }
            all += toClient + toServer
        }
        return Pair(server: server, client: client, datagrams: all)
    }

    @Test func handshakeNegotiatesPreferredProfileAndMatchingKeys() throws {
        let serverContext = try DTLSContext(role: .server)
        let clientContext = try DTLSContext(role: .client)
        let pair = try Self.handshake(server: serverContext, client: clientContext)

        #expect(pair.server.isHandshakeComplete)
        #expect(pair.client.isHandshakeComplete)
        #expect(pair.server.selectedSRTPProfile == .aeadAES128GCM)
        #expect(pair.client.selectedSRTPProfile == .aeadAES128GCM)
        // Each side sees exactly the certificate the other advertises in SDP.
        #expect(try pair.server.peerCertificateFingerprint() == clientContext.fingerprint)
        #expect(try pair.client.peerCertificateFingerprint() == serverContext.fingerprint)

        let serverKeys = try pair.server.srtpKeyingMaterial()
        let clientKeys = try pair.client.srtpKeyingMaterial()
        #expect(serverKeys.localMasterKey == clientKeys.remoteMasterKey)
        #expect(serverKeys.remoteMasterKey == clientKeys.localMasterKey)
        #expect(serverKeys.localMasterKey != serverKeys.remoteMasterKey)
        #expect(serverKeys.localMasterKey.count == 16 + 12)
    }

    @Test func exportedKeysDriveSRTPBetweenThePeers() throws {
        let pair = try Self.handshake(
            server: try DTLSContext(role: .server),
            client: try DTLSContext(role: .client, srtpProfiles: [.aes128CMHMACSHA1_80])
        )
        #expect(pair.server.selectedSRTPProfile == .aes128CMHMACSHA1_80)
        let clientKeys = try pair.client.srtpKeyingMaterial()
        let serverKeys = try pair.server.srtpKeyingMaterial()
        let sender = try SRTPSession(profile: clientKeys.profile, masterKey: clientKeys.localMasterKey, direction: .outbound)
        let receiver = try SRTPSession(profile: serverKeys.profile, masterKey: serverKeys.remoteMasterKey, direction: .inbound)
        let original = SRTPSessionTests.rtpPacket(sequenceNumber: 7)
        var packet = original
        try sender.protectRTP(&packet)
        try receiver.unprotectRTP(&packet)
        #expect(packet == original)
    }

    @Test func datagramsRespectTheMTUAndApplicationDataFlows() throws {
        let mtu = 300  // smaller than the certificate, so handshake messages are fragmented
        let pair = try Self.handshake(
            server: try DTLSContext(role: .server), client: try DTLSContext(role: .client), mtu: mtu
        )
        #expect(pair.client.isHandshakeComplete)
        #expect(pair.datagrams.allSatisfy { $0.count <= mtu })
        #expect(pair.datagrams.contains { $0.count > mtu / 2 })

        let message = Array("data channel".utf8)
        var replies: [[UInt8]] = []
        for datagram in try pair.client.write(applicationData: message) {
            replies += try pair.server.receive(datagram)
        }
        #expect(replies.isEmpty)
        #expect(pair.server.readApplicationData() == message)
        #expect(pair.server.readApplicationData() == nil)
    }

    @Test func noCommonSRTPProfileLeavesNoKeys() throws {
        let pair = try Self.handshake(
            server: try DTLSContext(role: .server, srtpProfiles: [.aeadAES128GCM]),
            client: try DTLSContext(role: .client, srtpProfiles: [.aes128CMHMACSHA1_80])
        )
        #expect(pair.server.selectedSRTPProfile == nil)
        #expect(throws: MediaNativeError.self) { try pair.server.srtpKeyingMaterial() }
    }

    @Test func garbageDuringHandshakeIsAnError() throws {
        let server = try DTLSSession(context: try DTLSContext(role: .server))
        // A DTLS 1.2 handshake record header whose body is not a valid ClientHello.
        let garbage: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 99]
        let error = #expect(throws: MediaNativeError.self) { _ = try server.receive(garbage) }
        #expect(error?.code == .tls)
        #expect(!server.isHandshakeComplete)
    }

    @Test func clientArmsARetransmissionTimer() throws {
        let client = try DTLSSession(context: try DTLSContext(role: .client))
        #expect(client.retransmissionTimeout == nil)
        let hello = try client.start()
        #expect(hello.count == 1)
        let timeout = try #require(client.retransmissionTimeout)
        #expect(timeout > .zero && timeout <= .seconds(1))
        // Not yet expired: nothing is retransmitted.
        #expect(try client.handleTimeout().isEmpty)
    }
}

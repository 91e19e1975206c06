import StreamLySFUNative
import Testing

@Suite struct SRTPSessionTests {
    /// A minimal RTP packet (RFC 3550 §5.1): V=2, PT=111, SSRC 0x11223344, 40 payload bytes.
    static func rtpPacket(sequenceNumber: UInt16) -> [UInt8] {
        [0x80, 111, UInt8(sequenceNumber >> 8), UInt8(sequenceNumber & 0xFF),
         0, 0, 0x03, 0xC0, 0x11, 0x22, 0x33, 0x44] + (0..<40).map { UInt8($0) }
    }

    static func key(for profile: SRTPProfile) -> [UInt8] {
        (0..<(profile.masterKeyLength + profile.masterSaltLength)).map { UInt8($0 &* 7 &+ 3) }
    }

    static func pair(_ profile: SRTPProfile) throws -> (sender: SRTPSession, receiver: SRTPSession) {
        let key = key(for: profile)
        return (
            try SRTPSession(profile: profile, masterKey: key, direction: .outbound),
            try SRTPSession(profile: profile, masterKey: key, direction: .inbound)
        )
    }

    @Test func versionString() throws {
        try SRTPLibrary.initialize()
        #expect(SRTPLibrary.versionString.hasPrefix("libsrtp2 2."))
    }

    @Test(arguments: [SRTPProfile.aes128CMHMACSHA1_80, .aeadAES128GCM])
    func rtpRoundTrip(profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.pair(profile)
        let original = Self.rtpPacket(sequenceNumber: 1000)
        var packet = original
        try sender.protectRTP(&packet)
        // 10-byte HMAC-SHA1-80 tag or 16-byte GCM tag; header stays clear, payload does not.
        #expect(packet.count == original.count + (profile == .aeadAES128GCM ? 16 : 10))
        #expect(packet.prefix(12) == original.prefix(12))
        #expect(packet[12..<original.count] != original[12...])
        try receiver.unprotectRTP(&packet)
        #expect(packet == original)
    }

    @Test(arguments: [SRTPProfile.aes128CMHMACSHA1_80, .aeadAES128GCM])
    func tamperedPacketFailsAuthentication(profile: SRTPProfile) throws {
        let (sender, receiver) = try Self.pair(profile)
        var packet = Self.rtpPacket(sequenceNumber: 1)
        try sender.protectRTP(&packet)
        packet[20] ^= 0x01
        let error = #expect(throws: MediaNativeError.self) { try receiver.unprotectRTP(&packet) }
        #expect(error?.code == .srtpAuthentication)
        #expect(error?.message == "srtp_unprotect failed: authentication failed")
        #expect(error?.status == 7)  // srtp_err_status_auth_fail
    }

    @Test func replayedPacketIsRejected() throws {
        let (sender, receiver) = try Self.pair(.aes128CMHMACSHA1_80)
        var packet = Self.rtpPacket(sequenceNumber: 5)
        try sender.protectRTP(&packet)
        var first = packet
        try receiver.unprotectRTP(&first)
        let error = #expect(throws: MediaNativeError.self) { try receiver.unprotectRTP(&packet) }
        #expect(error?.code == .srtpReplay)
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let profile = SRTPProfile.aes128CMHMACSHA1_80
        let sender = try SRTPSession(profile: profile, masterKey: Self.key(for: profile), direction: .outbound)
        let receiver = try SRTPSession(
            profile: profile, masterKey: Self.key(for: profile).reversed(), direction: .inbound
        )
        var packet = Self.rtpPacket(sequenceNumber: 9)
        try sender.protectRTP(&packet)
        #expect(throws: MediaNativeError.self) { try receiver.unprotectRTP(&packet) }
    }

    @Test func rtcpRoundTrip() throws {
        let (sender, receiver) = try Self.pair(.aeadAES128GCM)
        // RTCP receiver report with no report blocks (RFC 3550 §6.4.2).
        let original: [UInt8] = [0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44]
        var packet = original
        try sender.protectRTCP(&packet)
        #expect(packet.count > original.count)
        try receiver.unprotectRTCP(&packet)
        #expect(packet == original)
    }

    @Test func rejectsBadKeyLengthAndUnsupportedProfile() {
        let short = #expect(throws: MediaNativeError.self) {
            try SRTPSession(profile: .aeadAES128GCM, masterKey: [1, 2, 3], direction: .inbound)
        }
        #expect(short?.code == .invalidArgument)
        let unsupported = #expect(throws: MediaNativeError.self) {
            try SRTPSession(profile: SRTPProfile(id: 0x0002), masterKey: [], direction: .inbound)
        }
        #expect(unsupported?.code == .invalidArgument)
    }

    @Test func truncatedPacketIsAnError() throws {
        let (_, receiver) = try Self.pair(.aes128CMHMACSHA1_80)
        var packet: [UInt8] = [0x80, 111, 0]
        #expect(throws: MediaNativeError.self) { try receiver.unprotectRTP(&packet) }
    }
}

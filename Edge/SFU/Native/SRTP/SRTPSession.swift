internal import CSRTP

/// One libsrtp session (`srtp_t`) protecting or unprotecting every RTP and RTCP stream in
/// one direction of a transport (RFC 3711), for any SSRC.
///
/// Not thread-safe: libsrtp sessions keep per-stream rollover and replay state, so a session
/// belongs to the one task or event loop that owns the transport.
public final class SRTPSession {
    /// Which packets the session handles.
    public enum Direction: Sendable, Hashable {
        /// Protects packets this endpoint sends (`ssrc_any_outbound`).
        case outbound
        /// Unprotects packets this endpoint receives (`ssrc_any_inbound`).
        case inbound
    }

    /// The protection profile in use.
    public let profile: SRTPProfile
    /// The direction of the session.
    public let direction: Direction

    /// The srtp_t.
    private let session: OpaquePointer

    /// The most bytes `protectRTP`/`protectRTCP` can add to a packet.
    public static let maximumTrailerLength = Int(SRTP_MAX_TRAILER_LEN)

    /// Creates a session.
    /// - Parameters:
    ///   - profile: `.aes128CMHMACSHA1_80` or `.aeadAES128GCM`.
    ///   - masterKey: master key followed by master salt
    ///     (`profile.masterKeyLength + profile.masterSaltLength` bytes).
    ///   - direction: whether this session protects or unprotects.
    ///   - replayWindow: replay window in packets (64...32767); WebRTC stacks use 1024
    ///     because video reordering easily exceeds libsrtp's default of 128.
    public init(profile: SRTPProfile, masterKey: [UInt8], direction: Direction, replayWindow: Int = 1024) throws {
        try SRTPLibrary.initialize()
        guard profile.isSupported else {
            throw MediaNativeError(code: .invalidArgument, message: "unsupported SRTP profile \(profile)")
        }
        let expected = profile.masterKeyLength + profile.masterSaltLength
        guard masterKey.count == expected else {
            throw MediaNativeError(
                code: .invalidArgument,
                message: "\(profile) needs \(expected) bytes of master key and salt, got \(masterKey.count)"
            )
        }
        guard (64...0x7FFF).contains(replayWindow) else {
            throw MediaNativeError(code: .invalidArgument, message: "replay window \(replayWindow) is outside 64...32767")
        }
        var policy = srtp_policy_t()
        var status = srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, profile.libsrtpProfile)
        if status == srtp_err_status_ok {
            status = srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, profile.libsrtpProfile)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = UInt(replayWindow)
        // Let NACK-driven retransmissions of the same packet be protected again.
        policy.allow_repeat_tx = 1
        var created: OpaquePointer?
        if status == srtp_err_status_ok {
            var key = masterKey
            status = key.withUnsafeMutableBufferPointer { key in
                policy.key = key.baseAddress
                return srtp_create(&created, &policy)
            }
        }
        guard status == srtp_err_status_ok, let created else {
            throw Self.error(status, "srtp_create(\(profile))")
        }
        self.profile = profile
        self.direction = direction
        self.session = created
    }

    deinit {
        srtp_dealloc(session)
    }

    /// Encrypts and authenticates an RTP packet in place, appending the auth tag.
    public func protectRTP(_ packet: inout [UInt8]) throws {
        try transform(&packet, grow: true, name: "srtp_protect", srtp_protect)
    }

    /// Verifies and decrypts an SRTP packet in place, removing the auth tag.
    /// Throws `.srtpAuthentication` for tampered or truncated packets, `.srtpReplay` for repeats.
    /// After a failure the packet must be dropped: libsrtp's AES-GCM path overwrites the
    /// payload before it reports the tag mismatch.
    public func unprotectRTP(_ packet: inout [UInt8]) throws {
        try transform(&packet, grow: false, name: "srtp_unprotect", srtp_unprotect)
    }

    /// Encrypts and authenticates a (compound) RTCP packet in place, appending the SRTCP
    /// index and auth tag.
    public func protectRTCP(_ packet: inout [UInt8]) throws {
        try transform(&packet, grow: true, name: "srtp_protect_rtcp", srtp_protect_rtcp)
    }

    /// Verifies and decrypts an SRTCP packet in place; drop the packet if this throws.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws {
        try transform(&packet, grow: false, name: "srtp_unprotect_rtcp", srtp_unprotect_rtcp)
    }

    /// Protects the `length`-byte RTP packet at the start of `memory` in place and returns its
    /// protected length; `memory` must have room for `maximumTrailerLength` more bytes. For
    /// owners of reusable buffers (no copy, no allocation).
    public func protectRTP(in memory: UnsafeMutableRawBufferPointer, length: Int) throws -> Int {
        try transform(memory, length: length, grow: true, name: "srtp_protect", srtp_protect)
    }

    /// Unprotects the `length`-byte SRTP packet at the start of `memory` in place; returns the
    /// plaintext length. Drop the packet if this throws.
    public func unprotectRTP(in memory: UnsafeMutableRawBufferPointer, length: Int) throws -> Int {
        try transform(memory, length: length, grow: false, name: "srtp_unprotect", srtp_unprotect)
    }

    /// `protectRTCP` over raw memory with room for `maximumTrailerLength` more bytes.
    public func protectRTCP(in memory: UnsafeMutableRawBufferPointer, length: Int) throws -> Int {
        try transform(memory, length: length, grow: true, name: "srtp_protect_rtcp", srtp_protect_rtcp)
    }

    /// `unprotectRTCP` over raw memory; returns the plaintext length.
    public func unprotectRTCP(in memory: UnsafeMutableRawBufferPointer, length: Int) throws -> Int {
        try transform(memory, length: length, grow: false, name: "srtp_unprotect_rtcp", srtp_unprotect_rtcp)
    }

    private func transform(
        _ memory: UnsafeMutableRawBufferPointer, length: Int, grow: Bool, name: String,
        _ function: (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws -> Int {
        let needed = grow ? length + Self.maximumTrailerLength : length
        guard length >= 0, needed <= memory.count, length <= Int(Int32.max) - Self.maximumTrailerLength else {
            throw MediaNativeError(code: .invalidArgument, message: "\(name): \(length) bytes in \(memory.count)")
        }
        var result = Int32(length)
        let status = function(session, memory.baseAddress, &result)
        guard status == srtp_err_status_ok else { throw Self.error(status, name) }
        return Int(result)
    }

    private func transform(
        _ packet: inout [UInt8], grow: Bool, name: String,
        _ function: (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws {
        guard packet.count <= Int(Int32.max) - Self.maximumTrailerLength else {
            throw MediaNativeError(code: .invalidArgument, message: "\(name): packet too large")
        }
        var length = Int32(packet.count)
        if grow {
            // libsrtp writes the trailer past the end of the packet.
            packet.append(contentsOf: repeatElement(0, count: Self.maximumTrailerLength))
        }
        let status = packet.withUnsafeMutableBytes { function(session, $0.baseAddress, &length) }
        guard status == srtp_err_status_ok else {
            if grow { packet.removeLast(Self.maximumTrailerLength) }
            throw Self.error(status, name)
        }
        packet.removeLast(packet.count - Int(length))
    }

    private static func error(_ status: srtp_err_status_t, _ operation: String) -> MediaNativeError {
        let code: MediaNativeError.Code = switch status {
        case srtp_err_status_auth_fail: .srtpAuthentication
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: .srtpReplay
        default: .srtp
        }
        return MediaNativeError(
            code: code, message: "\(operation) failed: \(statusName(status.rawValue))",
            status: Int32(bitPattern: status.rawValue)
        )
    }

    /// A readable name for an `srtp_err_status_t` (libsrtp has no strerror).
    static func statusName(_ status: UInt32) -> String {
        switch srtp_err_status_t(rawValue: status) {
        case srtp_err_status_fail: "unspecified failure"
        case srtp_err_status_bad_param: "unsupported parameter"
        case srtp_err_status_alloc_fail: "allocation failed"
        case srtp_err_status_init_fail: "initialisation failed"
        case srtp_err_status_auth_fail: "authentication failed"
        case srtp_err_status_cipher_fail: "cipher failure"
        case srtp_err_status_replay_fail: "replayed packet"
        case srtp_err_status_replay_old: "packet too old for the replay window"
        case srtp_err_status_algo_fail: "algorithm self-test failed"
        case srtp_err_status_no_ctx: "no stream context for this SSRC"
        case srtp_err_status_key_expired: "key expired"
        case srtp_err_status_parse_err: "malformed packet"
        case srtp_err_status_bad_mki: "bad MKI"
        default: "status \(status)"
        }
    }
}

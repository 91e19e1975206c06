import Crypto
import Foundation

/// Signs and verifies HLS playback tokens: who may fetch `/vod/{video_id}/…`, until when.
///
/// Origins mint one per `GET /videos/{id}` (the `playback_url`); edges check it on every
/// HLS request with the same key and no call to an origin. Format (docs/hls.md):
///
///     token   = base64url(video_id) "." expiry "." base64url(mac)
///     expiry  = decimal seconds since 1970 (UTC)
///     mac     = HMAC-SHA256(key, "streamly-playback-v1\n" video_id "\n" expiry)
///
/// Every character is URL-safe (RFC 3986 unreserved), so the token needs no escaping in a
/// query string. The MAC binds the video id: a token for one video fails for any other.
public struct PlaybackTokenCodec: Sendable {
    /// Why a token was refused.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            public let rawValue: String
            public init(_ rawValue: String) { self.rawValue = rawValue }
            /// Not three base64url/decimal parts, or absurdly long.
            public static let malformed = Code("malformed")
            /// The MAC does not match (tampered, or signed with another key).
            public static let badSignature = Code("bad_signature")
            /// Valid, but for another video.
            public static let wrongVideo = Code("wrong_video")
            public static let expired = Code("expired")
            public var description: String { rawValue }
        }
        public var code: Code
        public var message: String
        public var description: String { message }

        public init(code: Code, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// What a valid token grants.
    public struct Grant: Sendable, Equatable {
        public var videoID: String
        /// Seconds since 1970.
        public var expiresAt: Int64

        public init(videoID: String, expiresAt: Int64) {
            self.videoID = videoID
            self.expiresAt = expiresAt
        }
    }

    /// Domain separation for the MAC input.
    static let context = "streamly-playback-v1"
    /// Longest token accepted (a 64-byte video id makes about 140 characters).
    public static let maxLength = 512

    private let key: SymmetricKey

    /// Throws if the key is shorter than 32 bytes.
    public init(key: [UInt8]) throws {
        guard key.count >= 32 else {
            throw Failure(code: .malformed, message: "the playback token key must be at least 32 bytes")
        }
        self.key = SymmetricKey(data: key)
    }

    /// A token for `videoID` valid until `expiresAt`.
    public func sign(videoID: String, expiresAt: Date) -> String {
        let expiry = Int64(expiresAt.timeIntervalSince1970.rounded(.down))
        return Base64URL.encode(Array(videoID.utf8)) + "." + String(expiry) + "." + Base64URL.encode(mac(videoID, expiry))
    }

    /// A token for `videoID` valid from `now` for `lifetime` seconds.
    public func sign(videoID: String, now: Date = Date(), lifetime: TimeInterval) -> String {
        sign(videoID: videoID, expiresAt: now.addingTimeInterval(lifetime))
    }

    /// Checks `token` for `videoID` at `now`: signature first, then scope, then expiry.
    public func verify(_ token: some StringProtocol, videoID: String, now: Date = Date()) throws(Failure) -> Grant {
        guard token.utf8.count <= Self.maxLength else { throw Failure(code: .malformed, message: "token too long") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let idBytes = Base64URL.decode(parts[0]),
              let tokenVideo = String(validating: idBytes, as: UTF8.self),
              !parts[1].isEmpty, parts[1].utf8.count <= 18,
              parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let expiry = Int64(parts[1]), let given = Base64URL.decode(parts[2]),
              // One spelling per token: base64url with zero padding bits, no leading zeros.
              Base64URL.encode(idBytes) == parts[0], String(expiry) == parts[1], Base64URL.encode(given) == parts[2]
        else {
            throw Failure(code: .malformed, message: "malformed playback token")
        }
        // Constant-time comparison through swift-crypto.
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.input(tokenVideo, expiry), using: key) else {
            throw Failure(code: .badSignature, message: "bad playback token signature")
        }
        guard tokenVideo == videoID else {
            throw Failure(code: .wrongVideo, message: "playback token is for another video")
        }
        guard Double(expiry) > now.timeIntervalSince1970 else {
            throw Failure(code: .expired, message: "playback token expired")
        }
        return Grant(videoID: tokenVideo, expiresAt: expiry)
    }

    private func mac(_ videoID: String, _ expiry: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Self.input(videoID, expiry), using: key))
    }

    static func input(_ videoID: String, _ expiry: Int64) -> [UInt8] {
        Array("\(context)\n\(videoID)\n\(expiry)".utf8)
    }
}

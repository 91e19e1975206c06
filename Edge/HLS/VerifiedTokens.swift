import Foundation
import StreamLyTokens
import Synchronization

/// Playback tokens already verified, so a player's hundreds of segment requests with the same
/// token cost one HMAC (and base64 decode), not one each: profiling the benchmark put
/// verification at a tenth of the edge's CPU. Only valid grants are kept; video and expiry
/// are checked again on every hit, so answers are exactly those of `PlaybackTokenCodec`.
/// Bounded: the map is emptied when it reaches `capacity`.
final class VerifiedTokens: Sendable {
    let codec: PlaybackTokenCodec
    let capacity: Int
    private let grants = Mutex<[String: PlaybackTokenCodec.Grant]>([:])

    init(codec: PlaybackTokenCodec, capacity: Int = 10_000) {
        self.codec = codec
        self.capacity = capacity
    }

    func verify(_ token: String, videoID: String, now: Date = Date()) throws(PlaybackTokenCodec.Failure) -> PlaybackTokenCodec.Grant {
        if let grant = grants.withLock({ $0[token] }) {
            // The signature was checked when the grant was stored; scope, then expiry, as the codec does.
            guard grant.videoID == videoID else {
                throw PlaybackTokenCodec.Failure(code: .wrongVideo, message: "playback token is for another video")
            }
            guard Double(grant.expiresAt) > now.timeIntervalSince1970 else {
                throw PlaybackTokenCodec.Failure(code: .expired, message: "playback token expired")
            }
            return grant
        }
        let grant = try codec.verify(token, videoID: videoID, now: now)
        grants.withLock { grants in
            if grants.count >= capacity { grants.removeAll(keepingCapacity: true) }
            grants[token] = grant
        }
        return grant
    }

    var count: Int { grants.withLock { $0.count } }
}

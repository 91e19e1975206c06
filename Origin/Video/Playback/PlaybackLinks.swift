import Foundation
import StreamLyTokens

/// Mints the `playback_url` of `GET /videos/{id}`: the master playlist on the edge the
/// client already talks to (a relative URL), with a playback token (docs/hls.md).
public struct PlaybackLinks: Sendable {
    let codec: PlaybackTokenCodec
    /// How long a playback URL stays valid.
    public let lifetime: TimeInterval

    public init(secret: String, lifetime: TimeInterval = 6 * 3_600) throws {
        self.codec = try PlaybackTokenCodec(key: Array(secret.utf8))
        self.lifetime = lifetime
    }

    /// `/vod/{videoID}/master.m3u8?token=…`, valid from `now` for `lifetime`.
    public func playbackURL(videoID: String, now: Date = Date()) -> String {
        "/vod/\(videoID)/master.m3u8?token=" + codec.sign(videoID: videoID, now: now, lifetime: lifetime)
    }
}

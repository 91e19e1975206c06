/// One rung of the ladder as configured: a target height and the H.264 rate control for it.
public struct TranscodeRung: Hashable, Sendable, Codable {
    /// The rendition name, also its folder under the output directory, e.g. "720p".
    public var name: String
    /// Target picture height in pixels; the width follows the source aspect ratio.
    public var height: Int
    /// Average video bitrate in bits per second (x264 ABR `b`).
    public var videoBitrate: Int
    /// VBV maximum rate in bits per second (`maxrate`).
    public var maxBitrate: Int
    /// VBV buffer size in bits (`bufsize`).
    public var bufferSize: Int

    /// Creates a rung; `maxBitrate` defaults to 107% and `bufferSize` to 150% of `videoBitrate`.
    public init(name: String, height: Int, videoBitrate: Int, maxBitrate: Int? = nil, bufferSize: Int? = nil) {
        self.name = name
        self.height = height
        self.videoBitrate = videoBitrate
        self.maxBitrate = maxBitrate ?? videoBitrate * 107 / 100
        self.bufferSize = bufferSize ?? videoBitrate * 3 / 2
    }

    /// 1920×1080 at 5 Mbit/s.
    public static let p1080 = TranscodeRung(name: "1080p", height: 1080, videoBitrate: 5_000_000)
    /// 1280×720 at 2.8 Mbit/s.
    public static let p720 = TranscodeRung(name: "720p", height: 720, videoBitrate: 2_800_000)
    /// 854×480 at 1.4 Mbit/s.
    public static let p480 = TranscodeRung(name: "480p", height: 480, videoBitrate: 1_400_000)

    /// The default ladder, highest first.
    public static let standardLadder: [TranscodeRung] = [.p1080, .p720, .p480]
}

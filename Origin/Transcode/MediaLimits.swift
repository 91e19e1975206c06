import Foundation
import StreamLyOriginNative

/// What a transcode accepts: bounds on the picture size, duration, frame rate and decoding
/// work of an input (`transcode.max.*`, docs/configuration.md). An input outside them ends
/// `failed` with a readable reason (`.invalidMedia`), before or while it is decoded, so one
/// upload cannot occupy a worker for hours or exhaust its memory. Pure: no FFmpeg.
public struct MediaLimits: Hashable, Sendable, Codable {
    /// Widest accepted picture, in pixels (source and display width).
    public var maxWidth: Int
    /// Tallest accepted picture, in pixels.
    public var maxHeight: Int
    /// Longest accepted input in seconds: the container's duration and every picture's time.
    public var maxDurationSeconds: Double
    /// Most pictures per second of input time (measured on the timestamps, plus one second of slack).
    public var maxFrameRate: Double
    /// Most decoded pixels per second of input time (width × height × frame rate).
    public var maxPixelsPerSecond: Double
    /// Longest gap between two consecutive pictures' timestamps, in seconds: a larger jump is
    /// taken for a crafted or broken file.
    public var maxTimestampGapSeconds: Double

    /// The defaults: 4096 × 4096, 4 hours, 120 frames per second, 2160p60 worth of pixels per
    /// second (497,664,000), jumps of at most 60 s.
    public init(maxWidth: Int = 4096, maxHeight: Int = 4096, maxDurationSeconds: Double = 14_400,
                maxFrameRate: Double = 120, maxPixelsPerSecond: Double = 3840 * 2160 * 60,
                maxTimestampGapSeconds: Double = 60) {
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxDurationSeconds = maxDurationSeconds
        self.maxFrameRate = maxFrameRate
        self.maxPixelsPerSecond = maxPixelsPerSecond
        self.maxTimestampGapSeconds = maxTimestampGapSeconds
    }

    /// Throws `.invalidConfiguration` for limits no input could meet or that overflow.
    public func validate() throws {
        guard (2...16_384).contains(maxWidth), (2...16_384).contains(maxHeight) else {
            throw OriginNativeError(code: .invalidConfiguration, message: "max width and height must be 2...16384")
        }
        guard maxDurationSeconds >= 1, maxDurationSeconds <= 7 * 86_400, maxFrameRate >= 1, maxFrameRate <= 1_000,
              maxPixelsPerSecond >= 1, maxPixelsPerSecond <= 1e12, maxTimestampGapSeconds > 0,
              maxTimestampGapSeconds <= maxDurationSeconds else {
            throw OriginNativeError(code: .invalidConfiguration, message: """
                limits out of range: duration 1...604800 s, frame rate 1...1000, pixels per second 1...1e12, \
                timestamp gap above 0 and at most the duration
                """)
        }
    }

    /// Checks what the container says before anything is decoded.
    ///
    /// - Parameters:
    ///   - frameRate: the declared frame rate, nil when unknown.
    ///   - duration: the container's duration in seconds, nil when unknown.
    public func checkSource(width: Int, height: Int, frameRate: Double?, duration: Double?) throws {
        try checkPicture(width: width, height: height)
        if let duration, !(duration.isFinite && duration <= maxDurationSeconds) {
            throw Self.invalid("duration \(Self.format(duration)) s exceeds the limit of \(Self.format(maxDurationSeconds)) s")
        }
        if let frameRate, frameRate.isFinite, frameRate > maxFrameRate {
            throw Self.invalid("frame rate \(Self.format(frameRate)) exceeds the limit of \(Self.format(maxFrameRate)) frames per second")
        }
        if let frameRate, frameRate.isFinite, Double(width) * Double(height) * frameRate > maxPixelsPerSecond {
            throw Self.invalid("\(width)x\(height) at \(Self.format(frameRate)) frames per second exceeds the limit of "
                               + "\(Self.format(maxPixelsPerSecond)) decoded pixels per second")
        }
    }

    /// Checks one picture size (a stream may change size mid-way).
    public func checkPicture(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw Self.invalid("picture has no size") }
        guard width <= maxWidth, height <= maxHeight else {
            throw Self.invalid("resolution \(width)x\(height) exceeds the limit of \(maxWidth)x\(maxHeight)")
        }
    }

    static func invalid(_ message: String) -> OriginNativeError {
        OriginNativeError(code: .invalidMedia, message: message)
    }

    /// A number for a reason: integers without a fraction, others with up to 3 decimals.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3f", value)
    }
}

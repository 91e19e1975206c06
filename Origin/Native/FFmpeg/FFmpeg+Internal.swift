internal import CFFmpeg

/// Constants and error helpers shared by the FFmpeg wrappers.
extension FFmpeg {
    /// `AV_NOPTS_VALUE`: an undefined timestamp.
    static let noTimestamp: Int64 = streamly_AV_NOPTS_VALUE()

    /// `AV_TIME_BASE_Q`: libavformat's internal time base (microseconds).
    static let microseconds = AVRational(num: 1, den: streamly_AV_TIME_BASE())

    /// `AVERROR(EAGAIN)`: the codec wants input before it can output, or the reverse.
    static let again: Int32 = streamly_AVERROR(EAGAIN)

    /// `AVERROR_INVALIDDATA`: damaged or unrecognised input.
    static let invalidData: Int32 = streamly_AVERROR_INVALIDDATA()

    /// The `.ffmpeg` error for an allocation that returned NULL.
    static func outOfMemory(_ operation: String) -> OriginNativeError {
        OriginNativeError(code: .ffmpeg, message: "\(operation): out of memory", status: streamly_AVERROR(ENOMEM))
    }

    /// A rational as a `Double` (0 when the denominator is 0).
    static func seconds(_ value: Int64, _ timeBase: AVRational) -> Double {
        timeBase.den == 0 ? 0 : Double(value) * Double(timeBase.num) / Double(timeBase.den)
    }
}

/// The log levels of `av_log`, for `FFmpeg.logLevel`.
extension FFmpeg {
    /// How much libav* prints to standard error. The setting is process-wide (`av_log_set_level`).
    public enum LogLevel: Int32, Sendable {
        /// Nothing (`AV_LOG_QUIET`).
        case quiet = -8
        /// `AV_LOG_PANIC`.
        case panic = 0
        /// `AV_LOG_FATAL`.
        case fatal = 8
        /// `AV_LOG_ERROR`.
        case error = 16
        /// `AV_LOG_WARNING`.
        case warning = 24
        /// `AV_LOG_INFO`, libav*'s default.
        case info = 32
        /// `AV_LOG_VERBOSE`.
        case verbose = 40
        /// `AV_LOG_DEBUG`.
        case debug = 48
    }

    /// The process-wide libav* log level. The HLS muxer prints a line per segment at `.info`;
    /// services and tests usually set `.error`.
    public static var logLevel: LogLevel {
        get { LogLevel(rawValue: av_log_get_level()) ?? .info }
        set { av_log_set_level(newValue.rawValue) }
    }
}

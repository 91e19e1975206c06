internal import CFFmpeg

/// Facts about the linked FFmpeg libraries and their error codes.
public enum FFmpeg {
    /// A library version, decoded from FFmpeg's packed `AV_VERSION_INT` form.
    public struct Version: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// Major version; a change breaks ABI.
        public let major: Int
        /// Minor version.
        public let minor: Int
        /// Micro version (100 and above for FFmpeg, below 100 for Libav).
        public let micro: Int

        /// Decodes `AV_VERSION_INT(major, minor, micro)`.
        init(packed: UInt32) {
            self.init(major: Int(packed >> 16), minor: Int((packed >> 8) & 0xFF), micro: Int(packed & 0xFF))
        }

        /// Creates a version from its parts, e.g. to compare with a minimum.
        public init(major: Int, minor: Int, micro: Int) {
            self.major = major
            self.minor = minor
            self.micro = micro
        }

        public static func < (lhs: Version, rhs: Version) -> Bool {
            (lhs.major, lhs.minor, lhs.micro) < (rhs.major, rhs.minor, rhs.micro)
        }

        public var description: String { "\(major).\(minor).\(micro)" }
    }

    /// Runtime version of libavformat.
    public static var avformatVersion: Version { Version(packed: avformat_version()) }
    /// Runtime version of libavcodec.
    public static var avcodecVersion: Version { Version(packed: avcodec_version()) }
    /// Runtime version of libavutil.
    public static var avutilVersion: Version { Version(packed: avutil_version()) }
    /// Runtime version of libswscale.
    public static var swscaleVersion: Version { Version(packed: swscale_version()) }
    /// Runtime version of libswresample.
    public static var swresampleVersion: Version { Version(packed: swresample_version()) }

    /// Whether libavcodec has an encoder with this name, e.g. "libx264" or "aac".
    public static func hasEncoder(_ name: String) -> Bool {
        avcodec_find_encoder_by_name(name) != nil
    }

    /// Whether libavcodec has a decoder with this name, e.g. "h264".
    public static func hasDecoder(_ name: String) -> Bool {
        avcodec_find_decoder_by_name(name) != nil
    }

    /// `AVERROR(posixError)`: the FFmpeg code for an errno value, e.g. `EAGAIN`.
    public static func errorCode(posix posixError: Int32) -> Int32 {
        streamly_AVERROR(posixError)
    }

    /// `AVERROR_EOF`: returned at the end of a stream.
    public static var endOfFile: Int32 { streamly_AVERROR_EOF() }

    /// `av_strerror`'s text for an FFmpeg error code.
    public static func errorDescription(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
        _ = av_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Converts the result of an FFmpeg call: non-negative values pass through, negative ones
    /// throw `.ffmpeg` with `av_strerror`'s text.
    @discardableResult
    public static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
        guard result < 0 else { return result }
        throw OriginNativeError(
            code: .ffmpeg, message: "\(operation()): \(errorDescription(result))", status: result
        )
    }
}

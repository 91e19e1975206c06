import StreamLyLink
import StreamLyConfig

/// Video uploads on the origin (`vod.upload.*`).
public struct UploadConfiguration: Sendable {
    /// Largest upload accepted (`vod.upload.max.bytes`); set the edges' to the same value.
    public var maxBytes: Int64
    /// S3 part size (`vod.upload.part.bytes`): every part but the last is exactly this big.
    /// S3 refuses non-last parts under 5 MiB and parts over 5 GiB; 10,000 parts at most.
    public var partBytes: Int64

    public static let defaultMaxBytes: Int64 = 10 << 30
    public static let minPartBytes: Int64 = 5 << 20

    public init(maxBytes: Int64 = Self.defaultMaxBytes, partBytes: Int64 = 8 << 20) {
        self.maxBytes = maxBytes
        self.partBytes = partBytes
    }

    init(_ values: ConfigValues) throws {
        let maxBytes = Int64(try values.int("vod.upload.max.bytes", default: Int(Self.defaultMaxBytes), range: 0...(5 << 40)))
        let partBytes = Int64(try values.int("vod.upload.part.bytes", default: 8 << 20,
                                             range: Int(Self.minPartBytes)...(5 << 30)))
        guard (maxBytes + partBytes - 1) / partBytes <= 10_000 else {
            throw ConfigurationError("configuration vod.upload.max.bytes=\(maxBytes) needs more than 10000 parts of vod.upload.part.bytes=\(partBytes)")
        }
        self.init(maxBytes: maxBytes, partBytes: partBytes)
    }
}

extension API {
    /// Where a video is in its life: the `status` of `GET /videos/{id}` and of `video` events
    /// (docs/api.md, "Videos"). Extensible: a newer origin may send a status this version
    /// does not know (`isKnown` is false); it is carried on as it is. Encoded as the bare string.
    public struct VideoStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        public var description: String { rawValue }

        /// Bytes are arriving (tus); `progress` is the uploaded share.
        public static let uploading = VideoStatus(rawValue: "uploading")
        /// Uploaded; waiting for a transcode worker.
        public static let queued = VideoStatus(rawValue: "queued")
        /// A worker is building the ladder; `progress` is its share done.
        public static let transcoding = VideoStatus(rawValue: "transcoding")
        /// Playable: renditions and `playback_url` are set.
        public static let ready = VideoStatus(rawValue: "ready")
        /// Given up; `error` says why.
        public static let failed = VideoStatus(rawValue: "failed")

        /// Deleted by its owner (events only: the video is gone, `GET` answers 404).
        public static let deleted = VideoStatus(rawValue: "deleted")

        /// Every status this version knows, in the order a video passes through them.
        public static let known: [VideoStatus] = [.uploading, .queued, .transcoding, .ready, .failed, .deleted]

        /// Whether this version knows the status.
        public var isKnown: Bool { Self.known.contains(self) }
    }
}

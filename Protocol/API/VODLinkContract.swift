/// The link method an edge uses to pull HLS objects from an origin (documented in
/// `Protocol/README.md`, "Methods", and `docs/hls.md`).
public enum VODLink {
    public enum Method {
        /// One object of a video's HLS tree. Request metadata `video`, `path` (a `VODPath`);
        /// empty body. Answer: 200 with metadata `content-type`, `etag`, `content-length` and
        /// the bytes streamed in chunks; 404 (JSON error) when there is no such object;
        /// 400 for a path outside the grammar.
        public static let object = "vod.object"
    }

    public enum Metadata {
        public static let video = "video"
        public static let path = "path"
        public static let contentType = "content-type"
        /// The object's ETag without quotes.
        public static let etag = "etag"
        public static let contentLength = "content-length"
    }

    /// The object-store key of `path` of `videoID`: `vod/{video_id}/{path}`.
    public static func objectKey(videoID: String, path: VODPath) -> String {
        "vod/\(videoID)/\(path.relativePath)"
    }
}

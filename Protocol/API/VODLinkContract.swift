/// Link methods, MESSAGE topics and metadata keys of video on demand between edge and origin
/// (documented in `Protocol/README.md`, "Methods", and `docs/hls.md`). Bodies are JSON.
public enum VODLink {
    public enum Method {
        /// A video's public state (`API.Video`, with `playback_url` once ready). Metadata
        /// `video`; the owner may read any of theirs, others one that is not `private` (else 404).
        public static let getVideo = "videos.get"
        /// Changes a video (owner only, else 404). Metadata `video`; body `API.UpdateVideo`;
        /// 200 with the `API.Video`.
        public static let updateVideo = "videos.update"
        /// Deletes a video (owner only, else 404): its row, source, upload parts and every
        /// rendition; a `deleted` event tells every edge to refuse its playback tokens and drop
        /// its cached objects. Metadata `video`; 204.
        public static let deleteVideo = "videos.delete"
        /// `public` videos that are `ready`, oldest first, or with `owner: "me"` the caller's own
        /// videos, newest first. Body `VideoLinkBodies.List`; 200 with `API.VideoList`.
        public static let listVideos = "videos.list"
        /// One object of a video's HLS tree. Request metadata `video`, `path` (a `VODPath`);
        /// empty body. Answer: 200 with metadata `content-type`, `etag`, `content-length` and
        /// the bytes streamed in chunks; 404 (JSON error) when there is no such object;
        /// 400 for a path outside the grammar.
        public static let object = "vod.object"
    }

    public enum Topic {
        /// Origin → edge: a video changed (upload or transcode progress, status). Metadata
        /// `video`; payload: the WebSocket `video` event JSON, ready to forward as is.
        public static let video = "vod.video"
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

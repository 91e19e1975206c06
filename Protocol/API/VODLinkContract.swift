/// Link methods, MESSAGE topics and metadata keys of video on demand between edge and origin
/// (documented in `Protocol/README.md`, "Methods"). Bodies are JSON.
public enum VODLink {
    public enum Method {
        /// A video's public state (`API.Video` without `playback_url`, which the edge adds).
        /// Metadata `video`; any authenticated user may read a video.
        public static let getVideo = "videos.get"
    }

    public enum Topic {
        /// Origin → edge: a video changed (upload or transcode progress, status). Metadata
        /// `video`; payload: the WebSocket `video` event JSON, ready to forward as is.
        public static let video = "vod.video"
    }

    public enum Metadata {
        public static let video = "video"
    }
}

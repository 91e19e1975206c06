import NIOCore
import StreamLyAPI

/// Names one object of a video's HLS tree.
public struct VODObjectKey: Hashable, Sendable, CustomStringConvertible {
    public var videoID: String
    public var path: VODPath

    public init(videoID: String, path: VODPath) {
        self.videoID = videoID
        self.path = path
    }

    public var description: String { "\(videoID)/\(path.relativePath)" }
}

/// An object as the origin answered it: bytes, type and strong validator.
public struct VODObject: Sendable, Equatable {
    public var body: ByteBuffer
    public var contentType: String
    /// Opaque strong validator, without quotes (the store's ETag).
    public var etag: String

    public init(body: ByteBuffer, contentType: String, etag: String) {
        self.body = body
        self.contentType = contentType
        self.etag = etag
    }

    public var size: Int { body.readableBytes }
}

/// What the origin holds for a key.
public enum VODFetchResult: Sendable, Equatable {
    case found(VODObject)
    case notFound
}

/// Where cache misses go: the origins, over the link (`OriginObjectFetcher`), or a fake in
/// unit tests.
public protocol VODObjectFetcher: Sendable {
    func fetch(_ key: VODObjectKey) async throws -> VODFetchResult
}

/// A failure to serve an object, with the HTTP status and error code to answer with.
public struct VODError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// No origin could be reached (503).
        public static let unavailable = Code("unavailable")
        /// The origin failed or answered something unusable (502).
        public static let badOrigin = Code("bad_origin_answer")
        /// Larger than `vod.cache.object.max.bytes` (502).
        public static let tooLarge = Code("too_large")
    }
    public var code: Code
    public var message: String
    public var description: String { "\(code.rawValue): \(message)" }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var httpStatus: Int { code == .unavailable ? 503 : 502 }
}

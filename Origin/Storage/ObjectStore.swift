import NIOCore

/// Object storage as the origin uses it: flat keys → bytes, ranged reads, prefix listings and
/// multipart uploads. Implemented by `S3Client` (any S3-compatible server) and
/// `LocalObjectStore` (a directory). Both throw `S3Error`.
public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key`, replacing any object there; returns the ETag.
    @discardableResult
    func putObject(key: String, bytes: ByteBuffer, contentType: String?) async throws -> String
    /// The object's bytes, or only `range` of them. Throws `S3Error.Code.noSuchKey` when absent
    /// and `.invalidRange` when the range starts past the end.
    func getObject(key: String, range: ObjectByteRange?) async throws -> ByteBuffer
    /// Size, ETag and content type; nil when there is no such object.
    func headObject(key: String) async throws -> ObjectInfo?
    /// Deletes the object; deleting a missing key succeeds (as in S3).
    func deleteObject(key: String) async throws
    /// One page of keys starting with `prefix`, in key order (ListObjectsV2).
    func listObjects(prefix: String, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing

    /// Starts a multipart upload; returns its upload ID.
    func createMultipartUpload(key: String, contentType: String?) async throws -> String
    /// Uploads part `partNumber` (1...10000); returns the part's ETag for `completeMultipartUpload`.
    func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer) async throws -> String
    /// Assembles the listed parts, in order, into the object; returns its ETag.
    @discardableResult
    func completeMultipartUpload(key: String, uploadID: String, parts: [CompletedPart]) async throws -> String
    /// Discards an upload and its parts.
    func abortMultipartUpload(key: String, uploadID: String) async throws
}

extension ObjectStore {
    @discardableResult
    public func putObject(key: String, bytes: ByteBuffer) async throws -> String {
        try await putObject(key: key, bytes: bytes, contentType: nil)
    }

    public func getObject(key: String) async throws -> ByteBuffer {
        try await getObject(key: key, range: nil)
    }

    public func listObjects(prefix: String = "", continuationToken: String? = nil) async throws -> ObjectListing {
        try await listObjects(prefix: prefix, continuationToken: continuationToken, maxKeys: 1000)
    }
}

/// An inclusive byte range, as in `Range: bytes=first-last` (RFC 9110 §14.1.2); `last` nil
/// means to the end.
public struct ObjectByteRange: Sendable, Hashable {
    public var first: Int
    public var last: Int?

    public init(first: Int, last: Int? = nil) {
        self.first = first
        self.last = last
    }

    public init(_ range: ClosedRange<Int>) {
        self.init(first: range.lowerBound, last: range.upperBound)
    }

    /// The `Range` header value.
    public var headerValue: String { "bytes=\(first)-\(last.map(String.init) ?? "")" }
}

/// What `headObject` and listings report about an object.
public struct ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int
    /// The ETag without surrounding quotes.
    public var etag: String
    public var contentType: String?

    public init(key: String, size: Int, etag: String, contentType: String? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.contentType = contentType
    }
}

/// One page of a listing.
public struct ObjectListing: Sendable, Hashable {
    public var objects: [ObjectInfo]
    /// Pass to the next `listObjects` call; nil when this is the last page.
    public var nextContinuationToken: String?

    public init(objects: [ObjectInfo], nextContinuationToken: String?) {
        self.objects = objects
        self.nextContinuationToken = nextContinuationToken
    }

    public var isTruncated: Bool { nextContinuationToken != nil }
}

/// A part's number and the ETag `uploadPart` returned.
public struct CompletedPart: Sendable, Hashable {
    public var partNumber: Int
    public var etag: String

    public init(partNumber: Int, etag: String) {
        self.partNumber = partNumber
        self.etag = etag
    }
}

/// Quote-free ETag (`"abc"` → `abc`).
func unquotedETag(_ etag: String) -> String {
    var value = Substring(etag)
    if value.hasPrefix("W/") { value = value.dropFirst(2) }
    if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
    return String(value)
}

import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension S3Client {
    @discardableResult
    public func putObject(key: String, bytes: ByteBuffer, contentType: String?) async throws -> String {
        let headers = contentType.map { [(name: "Content-Type", value: $0)] } ?? []
        let response = try await send(.PUT, key: key, headers: headers, body: bytes)
        try check(response, key: key)
        return unquotedETag(response.headers.first(name: "ETag") ?? "")
    }

    /// Status 200 (whole object) or 206 (the range). A server that ignores `Range` and answers 200
    /// is sliced here, so the caller always gets exactly the requested bytes. A range ending past
    /// the object's end is clamped to it (RFC 9110 §14.1.2, as AWS and MinIO do); servers that
    /// refuse such a range instead (nanio answers 400) are asked again with the clamped range, and
    /// a range starting past the end is `invalidRange` (416) whatever the server said.
    public func getObject(key: String, range: ObjectByteRange?) async throws -> ByteBuffer {
        let headers = range.map { [(name: "Range", value: $0.headerValue)] } ?? []
        var response = try await send(.GET, key: key, headers: headers)
        if var clamped = range, response.status == .badRequest, let size = try await headObject(key: key)?.size {
            guard clamped.first < size else {
                throw S3Error(status: 416, code: .invalidRange, message: "range \(clamped.headerValue) past the end", key: key)
            }
            if let last = clamped.last, last >= size {
                clamped.last = size - 1
                response = try await send(.GET, key: key, headers: [(name: "Range", value: clamped.headerValue)])
            }
        }
        try check(response, key: key)
        guard let range, response.status == .ok else { return response.body }
        var body = response.body
        guard range.first < body.readableBytes else {
            throw S3Error(status: 416, code: .invalidRange, message: "range \(range.headerValue) past the end", key: key)
        }
        let end = min(range.last.map { $0 + 1 } ?? body.readableBytes, body.readableBytes)
        body.moveReaderIndex(forwardBy: range.first)
        return body.readSlice(length: end - range.first)!
    }

    public func headObject(key: String) async throws -> ObjectInfo? {
        let response = try await send(.HEAD, key: key)
        if response.status == .notFound { return nil }
        try check(response, key: key)
        return ObjectInfo(
            key: key,
            size: response.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0,
            etag: unquotedETag(response.headers.first(name: "ETag") ?? ""),
            contentType: response.headers.first(name: "Content-Type"))
    }

    public func deleteObject(key: String) async throws {
        let response = try await send(.DELETE, key: key)
        try check(response, key: key)
    }

    /// ListObjectsV2 (`GET /?list-type=2&prefix=…&max-keys=…&continuation-token=…`).
    public func listObjects(prefix: String, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        var query = [(name: "list-type", value: "2"), (name: "max-keys", value: String(maxKeys))]
        if !prefix.isEmpty { query.append((name: "prefix", value: prefix)) }
        if let continuationToken { query.append((name: "continuation-token", value: continuationToken)) }
        let response = try await send(.GET, key: nil, query: query)
        try check(response, key: nil)
        return try Self.listing(from: Self.document(response, expecting: "ListBucketResult"))
    }

    /// `ListBucketResult` → `ObjectListing`.
    static func listing(from root: S3XMLElement) throws(S3Error) -> ObjectListing {
        var objects: [ObjectInfo] = []
        for contents in root.children("Contents") {
            guard let key = contents.text("Key") else {
                throw S3Error(status: 200, code: .invalidResponse, message: "<Contents> without <Key>")
            }
            objects.append(ObjectInfo(key: key, size: contents.text("Size").flatMap { Int($0) } ?? 0,
                                      etag: unquotedETag(contents.text("ETag") ?? "")))
        }
        let truncated = root.text("IsTruncated") == "true"
        let token = root.text("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        if truncated && token == nil {
            throw S3Error(status: 200, code: .invalidResponse, message: "truncated listing without NextContinuationToken")
        }
        return ObjectListing(objects: objects, nextContinuationToken: truncated ? token : nil)
    }
}

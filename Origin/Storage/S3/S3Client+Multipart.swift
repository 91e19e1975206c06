import NIOCore
import NIOHTTP1

extension S3Client {
    /// `POST /key?uploads`.
    public func createMultipartUpload(key: String, contentType: String?) async throws -> String {
        let headers = contentType.map { [(name: "Content-Type", value: $0)] } ?? []
        let response = try await send(.POST, key: key, query: [(name: "uploads", value: "")], headers: headers,
                                      body: ByteBuffer())
        try check(response, key: key)
        let root = try Self.document(response, expecting: "InitiateMultipartUploadResult")
        guard let uploadID = root.text("UploadId"), !uploadID.isEmpty else {
            throw S3Error(status: 200, code: .invalidResponse, message: "no UploadId", key: key)
        }
        return uploadID
    }

    /// `PUT /key?partNumber=N&uploadId=ID`; every part but the last must be at least 5 MiB.
    public func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer) async throws -> String {
        let query = [(name: "partNumber", value: String(partNumber)), (name: "uploadId", value: uploadID)]
        let response = try await send(.PUT, key: key, query: query, body: bytes)
        try check(response, key: key)
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Error(status: 200, code: .invalidResponse, message: "part \(partNumber) without ETag", key: key)
        }
        return unquotedETag(etag)
    }

    /// `POST /key?uploadId=ID` with `<CompleteMultipartUpload>`. S3 may answer 200 and still
    /// carry an `<Error>` body; that is thrown too.
    @discardableResult
    public func completeMultipartUpload(key: String, uploadID: String, parts: [CompletedPart]) async throws -> String {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\"\(Self.xmlEscaped(part.etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(.POST, key: key, query: [(name: "uploadId", value: uploadID)],
                                      headers: [(name: "Content-Type", value: "application/xml")],
                                      body: ByteBuffer(string: xml))
        try check(response, key: key)
        if let error = Self.error(from: response, key: key) { throw error }
        let root = try Self.document(response, expecting: "CompleteMultipartUploadResult")
        return unquotedETag(root.text("ETag") ?? "")
    }

    /// `DELETE /key?uploadId=ID`.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        let response = try await send(.DELETE, key: key, query: [(name: "uploadId", value: uploadID)])
        try check(response, key: key)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

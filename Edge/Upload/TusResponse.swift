import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyAPI

/// Headers every tus answer carries, and tus answers built from them.
enum TusResponse {
    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersion = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!

    /// Request headers browser tus clients send (CORS preflight).
    static let allowedHeaders = "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Defer-Length, "
        + "Upload-Metadata, Upload-Offset, Upload-Checksum, X-Requested-With, X-HTTP-Method-Override"
    /// Response headers browser scripts may read.
    static let exposedHeaders = "Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, "
        + "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm"

    /// `Tus-Resumable` and the CORS headers; `origin` is the request's `Origin`, echoed.
    static func baseHeaders(origin: String?) -> HTTPFields {
        var headers = HTTPFields()
        headers[tusResumable] = TusHeaders.version
        headers[.accessControlAllowOrigin] = origin ?? "*"
        headers[.accessControlExposeHeaders] = exposedHeaders
        if origin != nil { headers[.vary] = "Origin" }
        return headers
    }

    static func headers(for request: Request) -> HTTPFields {
        baseHeaders(origin: request.headers[.origin])
    }

    /// An empty answer with the tus headers plus `extra`.
    static func empty(_ status: HTTPResponse.Status, _ request: Request, _ extra: HTTPFields = [:]) -> Response {
        var headers = headers(for: request)
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers)
    }

    /// `{error: {code, message}}` with the tus headers (no body for HEAD).
    static func error(_ status: HTTPResponse.Status, _ code: API.ErrorCode, _ message: String, _ request: Request,
                      _ extra: HTTPFields = [:]) -> Response {
        var headers = headers(for: request)
        headers.append(contentsOf: extra)
        guard request.method != .head else { return Response(status: status, headers: headers) }
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONBody.encode(API.ErrorBody(code: code, message: message))))
    }

    /// An origin's error answer (status + JSON body), passed on with the tus headers.
    static func passOn(status: Int, body: ByteBuffer, _ request: Request) -> Response {
        var headers = headers(for: request)
        guard request.method != .head else { return Response(status: .init(code: status), headers: headers) }
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
    }
}

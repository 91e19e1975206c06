import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyAPI

/// The one error answer of the edge's HTTP routes (REST, tus, HLS): a status and an
/// `{error: {code, message}}` JSON body (docs/api.md, "Errors"). Thrown out of a route, it
/// answers itself; routes with their own answer shape (tus, HLS) catch it and add headers.
struct EdgeHTTPError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: API.ErrorCode
    var message: String

    init(_ status: HTTPResponse.Status, _ code: API.ErrorCode, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func badRequest(_ message: String) -> EdgeHTTPError { EdgeHTTPError(.badRequest, .badRequest, message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The JSON answer.
    func response() -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: JSONBody.encode(API.ErrorBody(code: code, message: message))))
    }
}

/// JSON bodies as the edge writes them: without escaped slashes (URLs stay readable).
enum JSONBody {
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// A 200 JSON answer with `headers` added.
    static func response(_ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        fields.append(contentsOf: headers)
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: encode(value)))
    }
}

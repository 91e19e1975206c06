import Foundation
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol
import StreamLyRetry
import StreamLyStorage
import StreamLyStore

/// A failure to report to the edge as status + `{error: {code, message}}`.
struct ReplyError: Error {
    var status: UInt16
    var code: API.ErrorCode
    var message: String
    /// Seconds until a `rate_limited` request may be retried (`retry_after`, `Retry-After`).
    var retryAfter: Int?

    static func badRequest(_ message: String) -> ReplyError { ReplyError(status: 400, code: .badRequest, message: message) }
    static let unauthenticated = ReplyError(status: 401, code: .unauthorized, message: "authentication required")
    static func notFound(_ what: String) -> ReplyError { ReplyError(status: 404, code: .notFound, message: "\(what) not found") }

    /// The public answer for a store error.
    init(_ error: StoreError) {
        let status: UInt16 = switch error.code {
        case .conflict: 409
        case .notFound: 404
        case .forbidden: 403
        case .invalidInput: 400
        case .unauthorized, .tokenExpired, .invalidToken, .refreshTokenReused: 401
        case .rateLimited: 429
        case .quotaExceeded: 403
        case .unavailable: 503
        default: 500
        }
        self.init(status: status, code: API.ErrorCode(rawValue: error.code.rawValue), message: error.message,
                  retryAfter: error.retryAfter?.retryAfterSeconds)
    }

    /// Object storage failed (chat and attachments): 503 `unavailable`.
    static func storage(_ error: S3Error) -> ReplyError {
        ReplyError(status: 503, code: .unavailable, message: "storage: \(error.message)")
    }

    /// Object storage failed (uploads): 503 `storage_unavailable`.
    static func storageUnavailable(_ error: S3Error) -> ReplyError {
        ReplyError(status: 503, code: .storageUnavailable, message: "object storage failed: \(error.code)")
    }

    init(status: UInt16, code: API.ErrorCode, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }
}

extension LinkInboundRequest {
    /// Largest request body a chat method accepts.
    static let maxJSONBody = 64 * 1_024

    /// Decodes the JSON body.
    func decode<T: Decodable>(_ type: T.Type) async throws -> T {
        let body = try await self.body.collect(upTo: Self.maxJSONBody)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw ReplyError.badRequest("body is not valid JSON for \(method)")
        }
    }

    /// The user the edge authenticated, from the request metadata.
    func user() throws -> (id: UUID, name: String) {
        guard let raw = metadata[ChatLink.Metadata.userID], let id = UUID(uuidString: raw) else {
            throw ReplyError.unauthenticated
        }
        return (id, metadata[ChatLink.Metadata.userName] ?? "")
    }

    func reply(_ value: some Encodable, status: UInt16 = 200, metadata: LinkMetadata = [:]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await responder.respond(status: status, metadata: metadata, body: ByteBuffer(bytes: try encoder.encode(value)))
    }

    /// Runs a feature's handler for this request and answers the errors that have a public
    /// form: `ReplyError` as it is, `StoreError` by its code, and `S3Error` as `storage` says
    /// (rethrown without it). Returns the handler's answer: false when the method is not its own.
    func answering(storage: ((S3Error) -> ReplyError)? = nil, _ handle: () async throws -> Bool) async throws -> Bool {
        do {
            return try await handle()
        } catch let error as ReplyError {
            try await reply(error)
        } catch let error as StoreError {
            try await reply(ReplyError(error))
        } catch let error as S3Error {
            guard let storage else { throw error }
            try await reply(storage(error))
        }
        return true
    }

    func reply(_ error: ReplyError) async throws {
        try await reply(API.ErrorBody(code: error.code, message: error.message, retryAfter: error.retryAfter),
                        status: error.status)
    }
}

/// Parses a channel id from a request.
func channelID(_ raw: String) throws -> UUID {
    guard let id = UUID(uuidString: raw) else { throw ReplyError.notFound("channel") }
    return id
}

import Foundation
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol

/// Typed JSON calls to the origins over the link pool, on behalf of a user.
public struct OriginClient: Sendable {
    let pool: LinkPool
    /// Largest response body accepted from an origin.
    static let maxResponseBytes = 8 << 20

    public init(pool: LinkPool) { self.pool = pool }

    static func metadata(for user: VerifiedUser?) -> LinkMetadata {
        var metadata = LinkMetadata()
        if let user {
            metadata[ChatLink.Metadata.userID] = user.id
            metadata[ChatLink.Metadata.userName] = user.name
        }
        return metadata
    }

    /// Sends `body` as JSON; returns the raw answer (status, metadata, body bytes).
    func call(_ method: String, user: VerifiedUser?, metadata extra: LinkMetadata = [:], body: some Encodable) async throws
        -> (LinkResponse, ByteBuffer)
    {
        let data = try JSONEncoder().encode(body)
        let response: LinkResponse
        var metadata = Self.metadata(for: user)
        for field in extra { metadata[field.name] = field.value }
        do {
            response = try await pool.request(method, metadata: metadata, body: ByteBuffer(bytes: data))
        } catch let error as LinkError {
            throw OriginClientError(status: 503, code: .unavailable, message: "no origin could take the request: \(error.code)")
        }
        let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        guard (200..<300).contains(response.status) else {
            let detail = try? JSONDecoder().decode(API.ErrorBody.self, from: Data(bytes.readableBytesView))
            throw OriginClientError(status: Int(response.status), code: detail?.error.code ?? .originError,
                                  message: detail?.error.message ?? "origin answered \(response.status)")
        }
        return (response, bytes)
    }

    /// Calls and decodes a JSON answer.
    func call<Answer: Decodable>(_ method: String, user: VerifiedUser?, metadata extra: LinkMetadata = [:], body: some Encodable,
                                 as: Answer.Type) async throws -> Answer {
        let (_, bytes) = try await call(method, user: user, metadata: extra, body: body)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(bytes.readableBytesView))
        } catch {
            throw OriginClientError(status: 502, code: .badOriginAnswer, message: "origin answer for \(method) is malformed")
        }
    }
}

extension OriginClient {
    /// Sends a raw JSON body and returns the origin's status and body unchanged
    /// (REST pass-through). Link failures become 503 with a JSON error body.
    func forward(_ method: String, user: VerifiedUser?, metadata extra: LinkMetadata = [:], body: ByteBuffer) async
        -> (status: Int, body: ByteBuffer)
    {
        var metadata = Self.metadata(for: user)
        for field in extra { metadata[field.name] = field.value }
        do {
            let response = try await pool.request(method, metadata: metadata, body: body)
            return (Int(response.status), try await response.body.collect(upTo: Self.maxResponseBytes))
        } catch {
            return (503, JSONBody.encode(API.ErrorBody(code: .unavailable, message: "no origin could take the request")))
        }
    }
}

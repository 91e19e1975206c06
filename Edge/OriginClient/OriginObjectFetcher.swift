import Crypto
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol

/// Pulls objects from the origins with the `vod.object` link method (`VODLink`), collecting
/// the streamed body up to `maxBytes`.
struct OriginObjectFetcher: VODObjectFetcher {
    let pool: LinkPool
    let maxBytes: Int

    func fetch(_ key: VODObjectKey) async throws -> VODFetchResult {
        var metadata = LinkMetadata()
        metadata[VODLink.Metadata.video] = key.videoID
        metadata[VODLink.Metadata.path] = key.path.relativePath
        let response: LinkResponse
        do {
            response = try await pool.request(VODLink.Method.object, metadata: metadata)
        } catch let error as LinkError {
            throw VODError(.unavailable, "no origin could take the request: \(error.code)")
        }
        switch response.status {
        case 200:
            if let declared = response.metadata[VODLink.Metadata.contentLength].flatMap(Int.init), declared > maxBytes {
                throw VODError(.tooLarge, "\(key) has \(declared) bytes, more than \(maxBytes)")
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maxBytes)
            } catch let error as LinkError where error.code == .tooLarge {
                throw VODError(.tooLarge, "\(key) exceeds \(maxBytes) bytes")
            } catch {
                throw VODError(.badOrigin, "body of \(key) broke off: \(error)")
            }
            if let declared = response.metadata[VODLink.Metadata.contentLength].flatMap(Int.init),
               declared != body.readableBytes {
                throw VODError(.badOrigin, "\(key): \(body.readableBytes) bytes received, \(declared) announced")
            }
            let etag = response.metadata[VODLink.Metadata.etag].flatMap { $0.isEmpty ? nil : $0 }
                ?? hex(SHA256.hash(data: Array(body.readableBytesView)).prefix(16))
            return .found(VODObject(body: body, contentType: key.path.contentType, etag: Self.sanitized(etag)))
        case 404:
            _ = try? await response.body.collect(upTo: 64 * 1_024)
            return .notFound
        default:
            _ = try? await response.body.collect(upTo: 64 * 1_024)
            throw VODError(.badOrigin, "origin answered \(response.status) for \(key)")
        }
    }

    /// An ETag as an opaque-tag body (RFC 9110 §8.8.3): no quotes, no control characters.
    static func sanitized(_ etag: String) -> String {
        String(etag.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }.map(Character.init))
    }
}

/// Lower-case hex of `bytes`.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

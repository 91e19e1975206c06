import Crypto
import Foundation
import IntegrationSupport
import Testing

/// The tus 1.0 answers of a real edge + origin: status codes, headers, limits, ownership,
/// checksums, deferred length and termination.
@Suite("tus protocol through the edge")
struct TusProtocolTests {
    static func base64(_ digest: some Sequence<UInt8>) -> String { Data(digest).base64EncodedString() }

    @Test func answersTheProtocol() async throws {
        try await VODCluster.with { cluster in
            let started = ContinuousClock.now
            let tus = TusCurl(port: cluster.edgePort)
            let owner = try await tus.signup("vodp")
            let other = try await tus.signup("vodq")

            // OPTIONS: what the server supports, no auth, CORS for browser clients.
            let options = try await tus.call("OPTIONS", "/uploads", token: nil, tus: false, headers: ["Origin: https://app.example"])
            #expect(options.status == 204)
            #expect(options.headers["tus-version"] == "1.0.0")
            #expect(options.headers["tus-extension"] == "creation,creation-defer-length,termination,checksum")
            #expect(options.headers["tus-max-size"] == String(VODCluster.maxBytes))
            #expect(options.headers["tus-checksum-algorithm"] == "sha1,md5,sha256")
            #expect(options.headers["access-control-allow-origin"] == "https://app.example")
            #expect(options.headers["access-control-expose-headers"]?.contains("Upload-Offset") == true)

            // Creation with metadata.
            let created = try await tus.create(token: owner.token, length: 1_000, metadata: ["title": "Protocol test"])
            #expect(created.status == 201, "\(created.text)")
            let url = try #require(created.headers["location"])
            #expect(url.hasPrefix("http://127.0.0.1:\(cluster.edgePort)/api/v1/uploads/"))
            let bytes = randomBytes(1_000)

            // Preconditions: version, auth, ownership.
            let noVersion = try await tus.call("HEAD", url, token: owner.token, tus: false)
            #expect(noVersion.status == 412)
            #expect(noVersion.headers["tus-version"] == "1.0.0")
            #expect(try await tus.head(url, token: nil).status == 401)
            #expect(try await tus.create(token: nil, length: 10).status == 401)
            #expect(try await tus.head(url, token: other.token).status == 404)
            #expect(try await tus.patch(url, token: other.token, offset: 0, bytes: bytes.prefix(10)).status == 404)
            #expect(try await tus.call("DELETE", url, token: other.token).status == 404)

            let fresh = try await tus.head(url, token: owner.token)
            #expect(fresh.status == 200)
            #expect(fresh.offset == 0)
            #expect(fresh.headers["upload-length"] == "1000")

            // Checksum mismatch: 460, nothing stored.
            let wrong = try await tus.patch(url, token: owner.token, offset: 0, bytes: bytes.prefix(400),
                                            headers: ["Upload-Checksum: sha1 \(Self.base64(Insecure.SHA1.hash(data: Data("other".utf8))))"])
            #expect(wrong.status == 460, "\(wrong.text)")
            #expect(try await tus.head(url, token: owner.token).offset == 0)
            #expect(try await tus.patch(url, token: owner.token, offset: 0, bytes: bytes.prefix(4),
                                        headers: ["Upload-Checksum: crc32 AAAAAA=="]).status == 400)

            // Checksum match: stored.
            let right = try await tus.patch(url, token: owner.token, offset: 0, bytes: bytes.prefix(400),
                                            headers: ["Upload-Checksum: sha256 \(Self.base64(SHA256.hash(data: bytes.prefix(400))))"])
            #expect(right.status == 204, "\(right.text)")
            #expect(right.offset == 400)

            // Wrong offset, wrong content type, past the length.
            let conflict = try await tus.patch(url, token: owner.token, offset: 100, bytes: bytes.dropFirst(100).prefix(10))
            #expect(conflict.status == 409)
            #expect(try await tus.call("PATCH", url, token: owner.token,
                                       headers: ["Upload-Offset: 400", "Content-Type: application/octet-stream"]).status == 415)
            let tooMuch = try await tus.patch(url, token: owner.token, offset: 400, bytes: randomBytes(601))
            #expect(tooMuch.status == 413)
            #expect(try await tus.head(url, token: owner.token).offset == 400)

            // The rest (md5-checked), then the source object is the file.
            let rest = try await tus.patch(url, token: owner.token, offset: 400, bytes: bytes.dropFirst(400),
                                           headers: ["Upload-Checksum: md5 \(Self.base64(Insecure.MD5.hash(data: bytes.dropFirst(400))))"])
            #expect(rest.status == 204, "\(rest.text)")
            #expect(rest.offset == 1_000)
            let id = String(url.split(separator: "/").last!)
            #expect(try await cluster.object("uploads/\(id)/source").bytes == bytes)

            // Limits at creation.
            #expect(try await tus.create(token: owner.token, length: Int64(VODCluster.maxBytes) + 1).status == 413)
            #expect(try await tus.call("POST", "/videos", token: owner.token, tus: false,
                                       json: #"{"title":"big","size":\#(VODCluster.maxBytes + 1)}"#).status == 413)
            #expect(try await tus.call("POST", "/uploads", token: owner.token).status == 400, "no Upload-Length")

            // Deferred length: declared on a later PATCH; the last bytes are only a tail.
            let deferred = try await tus.create(token: owner.token, length: nil, metadata: ["filename": "clip.mp4"])
            #expect(deferred.status == 201)
            let deferredURL = try #require(deferred.headers["location"])
            let unknown = try await tus.head(deferredURL, token: owner.token)
            #expect(unknown.headers["upload-defer-length"] == "1")
            #expect(unknown.headers["upload-length"] == nil)
            let clip = randomBytes(6 << 20 + 3)
            let part1 = try await tus.patch(deferredURL, token: owner.token, offset: 0, bytes: clip.prefix(6 << 20))
            #expect(part1.status == 204, "\(part1.text)")
            let declare = try await tus.patch(deferredURL, token: owner.token, offset: 6 << 20, bytes: clip.dropFirst(6 << 20),
                                              headers: ["Upload-Length: \(clip.count)"])
            #expect(declare.status == 204, "\(declare.text)")
            #expect(declare.offset == Int64(clip.count))
            let declared = try await tus.head(deferredURL, token: owner.token)
            #expect(declared.headers["upload-length"] == String(clip.count))
            let deferredID = String(deferredURL.split(separator: "/").last!)
            let clipSource = try await cluster.object("uploads/\(deferredID)/source")
            #expect(Data(SHA256.hash(data: clipSource.bytes)) == Data(SHA256.hash(data: clip)))

            // Termination: 204, then the upload and its objects are gone.
            let partial = try await tus.create(token: owner.token, length: 10 << 20)
            let partialURL = try #require(partial.headers["location"])
            #expect(try await tus.patch(partialURL, token: owner.token, offset: 0, bytes: randomBytes(5 << 20 + 10)).status == 204)
            let partialID = String(partialURL.split(separator: "/").last!)
            #expect(try await cluster.object("uploads/\(partialID)/tail-\(5 << 20 + 10)").status == 200)
            #expect(try await tus.call("DELETE", partialURL, token: owner.token).status == 204)
            #expect(try await tus.head(partialURL, token: owner.token).status == 404)
            #expect(try await tus.patch(partialURL, token: owner.token, offset: 0, bytes: Data([1])).status == 404)
            #expect(try await cluster.object("uploads/\(partialID)/tail-\(5 << 20 + 10)").status == 404)
            print("[vod-it] protocol checks: \(ContinuousClock.now - started)")
        }
    }
}

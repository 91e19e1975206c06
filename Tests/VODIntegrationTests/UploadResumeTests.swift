import Crypto
import Foundation
import IntegrationSupport
import Testing

/// Uploads through a real edge and origin into the real S3 server, with kill -9 of each
/// mid-PATCH: the upload resumes from the stored offset and the assembled object is the file.
@Suite("Uploads survive edge and origin crashes", .serialized)
struct UploadResumeTests {
    static let length = 20 << 20 + 12_345

    @Test func resumesAfterEdgeAndOriginCrashes() async throws {
        try await VODCluster.with { cluster in
            let started = ContinuousClock.now
            let tus = TusCurl(port: cluster.edgePort)
            let user = try await tus.signup("vod")
            let file = randomBytes(Self.length)
            let length = Int64(Self.length)

            let created = try await tus.call("POST", "/videos", token: user.token, tus: false,
                                             json: #"{"title":"crash test","size":\#(length)}"#)
            #expect(created.status == 201, "\(created.text)")
            struct Created: Decodable { var id: String; var upload_url: String }
            let video = try JSONDecoder().decode(Created.self, from: created.body)
            #expect(video.upload_url == "http://127.0.0.1:\(cluster.edgePort)/api/v1/uploads/\(video.id)")
            let url = video.upload_url

            // A first chunk: 3 MiB, so the stored offset ends inside part 1 (a tail object).
            let first = try await tus.patch(url, token: user.token, offset: 0, bytes: file.prefix(3 << 20))
            #expect(first.status == 204, "\(first.text)")
            #expect(first.offset == 3 << 20)
            #expect(first.headers["tus-resumable"] == "1.0.0")

            // kill -9 the edge while it streams the rest.
            let cut1 = Task { try await tus.patch(url, token: user.token, offset: 3 << 20, bytes: file.dropFirst(3 << 20), rate: "2M") }
            try await Task.sleep(for: .seconds(3))
            await cluster.crash(VODCluster.edge)
            let interrupted1 = try await cut1.value
            #expect(interrupted1.status != 204)
            try cluster.startEdge(VODCluster.edge)
            try await cluster.waitReady()
            let afterEdge = try await tus.head(url, token: user.token)
            #expect(afterEdge.status == 200)
            #expect(afterEdge.headers["cache-control"] == "no-store")
            #expect(afterEdge.headers["upload-length"] == String(length))
            let offset1 = try #require(afterEdge.offset)
            #expect(offset1 > 3 << 20 && offset1 < length, "the origin kept what arrived before the edge died: \(offset1)")

            // kill -9 the origin while it stores the next bytes.
            let cut2 = Task { try await tus.patch(url, token: user.token, offset: offset1, bytes: file.dropFirst(Int(offset1)), rate: "2M") }
            try await Task.sleep(for: .seconds(3))
            await cluster.crash("vod-origin")
            let interrupted2 = try await cut2.value
            #expect(interrupted2.status != 204)
            try cluster.startOrigin("vod-origin")
            try await cluster.waitReady()
            let afterOrigin = try await tus.head(url, token: user.token)
            let offset2 = try #require(afterOrigin.offset)
            #expect(offset2 >= offset1 && offset2 < length)
            #expect(offset2 == offset1 || offset2 % Int64(VODCluster.partBytes) == 0,
                    "an origin commits whole parts while a PATCH runs: \(offset2)")

            // Resume to the end.
            let last = try await tus.patch(url, token: user.token, offset: offset2, bytes: file.dropFirst(Int(offset2)))
            #expect(last.status == 204, "\(last.text)")
            #expect(last.offset == length)
            let done = try await tus.head(url, token: user.token)
            #expect(done.offset == length)

            let source = try await cluster.object("uploads/\(video.id)/source")
            #expect(source.status == 200)
            #expect(source.bytes.count == Self.length)
            #expect(Data(SHA256.hash(data: source.bytes)) == Data(SHA256.hash(data: file)), "S3 source has the file's SHA-256")
            #expect(try await cluster.object("uploads/\(video.id)/tail-\(offset1)").status == 404, "tails are removed")
            print("[vod-it] resume after crashes: \(ContinuousClock.now - started), offsets 3 MiB → \(offset1) → \(offset2) → \(length)")
        }
    }
}

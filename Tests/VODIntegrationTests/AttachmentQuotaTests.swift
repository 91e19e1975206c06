import Foundation
import IntegrationSupport
import Testing

/// Issue 11, item 5, on real processes with the real S3 server: a user's attachments not yet
/// sent in a message are limited, and the sweep removes those never sent (row and object),
/// which frees the quota again.
@Suite("Attachment quota and sweep", .serialized)
struct AttachmentQuotaTests {
    struct Created: Decodable { var id: String; var upload_url: String }

    @Test func pendingAttachmentsAreLimitedAndSwept() async throws {
        try await VODCluster.with(originEnvironment: ["STREAMLY_QUOTA_ATTACHMENTS_PENDING_PER_USER": "2",
                                                      "STREAMLY_SWEEP_ATTACHMENT_AGE_SECONDS": "3",
                                                      "STREAMLY_SWEEP_INTERVAL_SECONDS": "1"]) { cluster in
            let rest = REST(port: cluster.edgePort)
            let user = try await rest.signup("attacher")
            func announce(_ name: String) async throws -> CurlResult {
                try await rest.call("POST", "/attachments", json: ["filename": name, "content_type": "text/plain", "size": 5],
                                    token: user.token)
            }
            let first = try await announce("a.txt")
            #expect(first.status == 201, "\(first.text)")
            let attachment = try first.decode(Created.self)
            #expect(try await announce("b.txt").status == 201)
            let over = try await announce("c.txt")
            #expect(over.status == 403 && over.text.contains("quota_exceeded"), "\(over.status) \(over.text)")

            // The bytes arrive through the presigned URL, but no message ever carries them.
            let put = try await curl(attachment.upload_url, ["-X", "PUT", "-H", "Content-Type: text/plain",
                                                            "--data-binary", "hello"])
            #expect(put.status == 200, "presigned PUT: \(put.status) \(put.text)")
            let key = "attachments/\(attachment.id)/a.txt"
            #expect(try await cluster.object(key).status == 200)

            let deadline = ContinuousClock.now + .seconds(60)
            var status = 200
            while ContinuousClock.now < deadline {
                status = try await rest.call("GET", "/attachments/\(attachment.id)", token: user.token).status
                if status == 404 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(status == 404, "the never-sent attachment was swept")
            #expect(try await cluster.object(key).status == 404, "with its object")
            #expect(try await announce("d.txt").status == 201, "the quota is free again")
        }
    }
}

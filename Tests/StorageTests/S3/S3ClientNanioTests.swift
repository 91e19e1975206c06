import AsyncHTTPClient
import Foundation
import NIOCore
@testable import StreamLyStorage
import Testing

/// `S3Client` against a real nanio server, which verifies SigV4 headers and presigned URLs.
@Suite(.nanio) struct S3ClientNanioTests {
    let server: NanioServer
    let client: S3Client

    init() throws {
        server = try #require(NanioServer.current, "the .nanio trait starts the server")
        client = try server.client()
    }

    @Test func putGetRangeHeadDelete() async throws {
        try await ObjectStoreChecks.putGetRangeHeadDelete(client, prefix: "basic/")
    }

    @Test func rangeGetAnswers206WithExactBytes() async throws {
        try await client.putObject(key: "range/r.bin", bytes: ByteBuffer(bytes: Array(0..<200)))
        let response = try await client.send(.GET, key: "range/r.bin", headers: [(name: "Range", value: "bytes=10-19")])
        #expect(response.status.code == 206)
        #expect(response.body == ByteBuffer(bytes: Array(10..<20)))
    }

    @Test func listWithPrefixAndPagination() async throws {
        try await ObjectStoreChecks.listWithPrefixAndPagination(client, prefix: "listing/")
    }

    @Test func multipartUpload() async throws {
        try await ObjectStoreChecks.multipart(client, prefix: "mp/")
    }

    @Test func abortMultipartUpload() async throws {
        try await ObjectStoreChecks.abortMultipart(client, prefix: "mp-abort/")
    }

    @Test func presignedGetAndPutWithCurl() async throws {
        let put = try client.presignedURL(method: .put, key: "presigned/up load.txt", expires: 300)
        let uploaded = try curl(["-X", "PUT", "--data-binary", "from curl", put.absoluteString])
        #expect(uploaded.status == 200)
        #expect(try await client.getObject(key: "presigned/up load.txt") == ByteBuffer(string: "from curl"))

        let get = try client.presignedURL(method: .get, key: "presigned/up load.txt", expires: 300)
        let downloaded = try curl([get.absoluteString])
        #expect(downloaded.status == 200)
        #expect(downloaded.body == Array("from curl".utf8))
    }

    @Test func tamperedPresignedURLIsRefused() async throws {
        try await client.putObject(key: "presigned/secret.txt", bytes: ByteBuffer(string: "secret"))
        try await client.putObject(key: "presigned/other.txt", bytes: ByteBuffer(string: "other"))
        let url = try client.presignedURL(method: .get, key: "presigned/secret.txt", expires: 300).absoluteString
        #expect(try curl([url]).status == 200)

        var signature = url
        let last = signature.removeLast()
        signature.append(last == "0" ? "1" : "0")
        #expect(try curl([signature]).status == 403)

        let otherKey = url.replacingOccurrences(of: "secret.txt", with: "other.txt")
        #expect(try curl([otherKey]).status == 403)
    }

    @Test func expiredPresignedURLIsRefused() async throws {
        try await client.putObject(key: "presigned/short.txt", bytes: ByteBuffer(string: "short"))
        let url = try client.presignedURL(method: .get, key: "presigned/short.txt", expires: 1).absoluteString
        try await Task.sleep(for: .seconds(2.2))
        #expect(try curl([url]).status == 403)
    }

    @Test func wrongSecretIsRefusedWithS3Error() async throws {
        let impostor = try server.client(secretKey: "not-the-secret")
        await #expect { try await impostor.putObject(key: "auth/x.txt", bytes: ByteBuffer(string: "x")) } throws: { error in
            guard let error = error as? S3Error else { return false }
            return error.status == 403 && error.code == .signatureDoesNotMatch && !error.message.isEmpty
        }
        #expect(try await client.headObject(key: "auth/x.txt") == nil)
    }

    @Test func missingBucketIsAnS3Error() async throws {
        let other = try server.client(bucket: "no-such-bucket")
        await #expect { try await other.getObject(key: "x") } throws: { ($0 as? S3Error)?.code == .noSuchBucket }
    }
}

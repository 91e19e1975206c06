import Crypto
import NIOCore
import StreamLyStorage
import Testing

/// Behaviour every `ObjectStore` must show; run against nanio (`S3Client`) and `LocalObjectStore`.
enum ObjectStoreChecks {
    static func putGetRangeHeadDelete(_ store: some ObjectStore, prefix: String) async throws {
        let key = prefix + "dir/hello world.txt"
        let bytes = ByteBuffer(string: "0123456789abcdefghij")
        let etag = try await store.putObject(key: key, bytes: bytes, contentType: "text/plain")
        #expect(etag == hex(Insecure.MD5.hash(data: Array("0123456789abcdefghij".utf8))))

        #expect(try await store.getObject(key: key) == bytes)
        #expect(try await store.getObject(key: key, range: ObjectByteRange(2...5)) == ByteBuffer(string: "2345"))
        #expect(try await store.getObject(key: key, range: ObjectByteRange(first: 15)) == ByteBuffer(string: "fghij"))
        #expect(try await store.getObject(key: key, range: ObjectByteRange(18...100)) == ByteBuffer(string: "ij"))
        await #expect { try await store.getObject(key: key, range: ObjectByteRange(first: 20)) } throws: {
            ($0 as? S3Error)?.status == 416
        }

        let info = try #require(try await store.headObject(key: key))
        #expect(info.size == 20)
        #expect(info.etag == etag)
        #expect(info.contentType == "text/plain")

        try await store.putObject(key: key, bytes: ByteBuffer(string: "replaced"))
        #expect(try await store.getObject(key: key) == ByteBuffer(string: "replaced"))

        try await store.deleteObject(key: key)
        #expect(try await store.headObject(key: key) == nil)
        await #expect { try await store.getObject(key: key) } throws: {
            ($0 as? S3Error)?.code == .noSuchKey && ($0 as? S3Error)?.status == 404
        }
        try await store.deleteObject(key: key)  // deleting a missing key succeeds
    }

    static func listWithPrefixAndPagination(_ store: some ObjectStore, prefix: String) async throws {
        let keys = (0..<7).map { prefix + "list/a/\($0).bin" } + [prefix + "list/b/x.bin", prefix + "list/ab.bin"]
        for key in keys {
            try await store.putObject(key: key, bytes: ByteBuffer(string: key))
        }
        var listed: [ObjectInfo] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.listObjects(prefix: prefix + "list/a/", continuationToken: token, maxKeys: 3)
            #expect(page.objects.count <= 3)
            listed += page.objects
            token = page.nextContinuationToken
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 3)
        #expect(listed.map(\.key) == (0..<7).map { prefix + "list/a/\($0).bin" })
        #expect(listed.first?.size == (prefix + "list/a/0.bin").utf8.count)

        let all = try await store.listObjects(prefix: prefix + "list/a", continuationToken: nil, maxKeys: 100)
        #expect(all.objects.count == 7 + 1)  // a/0…6 and ab.bin
        #expect(all.nextContinuationToken == nil)
        #expect(try await store.listObjects(prefix: prefix + "nothing/").objects.isEmpty)
        for key in keys {
            try await store.deleteObject(key: key)
        }
        #expect(try await store.listObjects(prefix: prefix + "list/").objects.isEmpty)
    }

    static func multipart(_ store: some ObjectStore, prefix: String) async throws {
        let key = prefix + "multipart/video.mp4"
        let first = ByteBuffer(bytes: (0..<(5 * 1024 * 1024 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let second = ByteBuffer(bytes: (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let uploadID = try await store.createMultipartUpload(key: key, contentType: "video/mp4")
        let etag2 = try await store.uploadPart(key: key, uploadID: uploadID, partNumber: 2, bytes: second)
        let etag1 = try await store.uploadPart(key: key, uploadID: uploadID, partNumber: 1, bytes: first)
        let etag = try await store.completeMultipartUpload(
            key: key, uploadID: uploadID,
            parts: [CompletedPart(partNumber: 1, etag: etag1), CompletedPart(partNumber: 2, etag: etag2)])
        #expect(etag.hasSuffix("-2"))

        let stored = try await store.getObject(key: key)
        var whole = first
        whole.writeImmutableBuffer(second)
        #expect(stored.readableBytes == whole.readableBytes)
        #expect(SHA256.hash(data: Array(stored.readableBytesView)) == SHA256.hash(data: Array(whole.readableBytesView)))
        let info = try #require(try await store.headObject(key: key))
        #expect(info.size == whole.readableBytes)
        #expect(info.contentType == "video/mp4")
        try await store.deleteObject(key: key)
    }

    static func abortMultipart(_ store: some ObjectStore, prefix: String) async throws {
        let key = prefix + "multipart/aborted.bin"
        let uploadID = try await store.createMultipartUpload(key: key, contentType: nil)
        _ = try await store.uploadPart(key: key, uploadID: uploadID, partNumber: 1, bytes: ByteBuffer(string: "x"))
        try await store.abortMultipartUpload(key: key, uploadID: uploadID)
        await #expect { try await store.uploadPart(key: key, uploadID: uploadID, partNumber: 2, bytes: ByteBuffer(string: "y")) }
            throws: { ($0 as? S3Error)?.code == .noSuchUpload }
        #expect(try await store.headObject(key: key) == nil)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

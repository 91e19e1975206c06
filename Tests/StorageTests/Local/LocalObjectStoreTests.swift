import Foundation
import NIOCore
import StreamLyStorage
import Testing

@Suite struct LocalObjectStoreTests {
    /// A store in a fresh temporary directory, removed afterwards.
    func withStore(_ body: (LocalObjectStore) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.path + "/streamly-local-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(try LocalObjectStore(root: root))
    }

    @Test func putGetRangeHeadDelete() async throws {
        try await withStore { try await ObjectStoreChecks.putGetRangeHeadDelete($0, prefix: "basic/") }
    }

    @Test func listWithPrefixAndPagination() async throws {
        try await withStore { try await ObjectStoreChecks.listWithPrefixAndPagination($0, prefix: "listing/") }
    }

    @Test func multipartUpload() async throws {
        try await withStore { try await ObjectStoreChecks.multipart($0, prefix: "mp/") }
    }

    @Test func abortMultipartUpload() async throws {
        try await withStore { try await ObjectStoreChecks.abortMultipart($0, prefix: "mp-abort/") }
    }

    @Test(arguments: ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "a\0b", "", "a//b", "a/", "./a", "a/.."])
    func unsafeKeysAreRefused(key: String) async throws {
        try await withStore { store in
            func refused(_ operation: () async throws -> Void) async {
                await #expect { try await operation() } throws: { ($0 as? S3Error)?.code == .invalidObjectName }
            }
            await refused { try await store.putObject(key: key, bytes: ByteBuffer(string: "x")) }
            await refused { _ = try await store.getObject(key: key) }
            await refused { _ = try await store.headObject(key: key) }
            await refused { try await store.deleteObject(key: key) }
            await refused { _ = try await store.createMultipartUpload(key: key, contentType: nil) }
            let parent = URL(fileURLWithPath: store.root).deletingLastPathComponent().path
            #expect(!FileManager.default.fileExists(atPath: parent + "/escape.txt"))
        }
    }

    @Test func unknownOrForeignUploadIDIsNoSuchUpload() async throws {
        try await withStore { store in
            let uploadID = try await store.createMultipartUpload(key: "a.bin", contentType: nil)
            for (key, id) in [("b.bin", uploadID), ("a.bin", "../../objects"), ("a.bin", "nope")] {
                await #expect { try await store.uploadPart(key: key, uploadID: id, partNumber: 1, bytes: ByteBuffer()) }
                    throws: { ($0 as? S3Error)?.code == .noSuchUpload }
            }
        }
    }

    @Test func smallNonLastPartAndBadETagAreRefused() async throws {
        try await withStore { store in
            let uploadID = try await store.createMultipartUpload(key: "a.bin", contentType: nil)
            let one = try await store.uploadPart(key: "a.bin", uploadID: uploadID, partNumber: 1, bytes: ByteBuffer(string: "1"))
            let two = try await store.uploadPart(key: "a.bin", uploadID: uploadID, partNumber: 2, bytes: ByteBuffer(string: "2"))
            await #expect {
                try await store.completeMultipartUpload(key: "a.bin", uploadID: uploadID,
                                                        parts: [.init(partNumber: 1, etag: one), .init(partNumber: 2, etag: two)])
            } throws: { ($0 as? S3Error)?.code == .entityTooSmall }
            await #expect {
                try await store.completeMultipartUpload(key: "a.bin", uploadID: uploadID, parts: [.init(partNumber: 2, etag: one)])
            } throws: { ($0 as? S3Error)?.code == .invalidPart }
            await #expect {
                try await store.completeMultipartUpload(key: "a.bin", uploadID: uploadID,
                                                        parts: [.init(partNumber: 2, etag: two), .init(partNumber: 1, etag: one)])
            } throws: { ($0 as? S3Error)?.code == .invalidPartOrder }
            #expect(try await store.headObject(key: "a.bin") == nil)
            let tmp = try FileManager.default.contentsOfDirectory(atPath: store.root + "/tmp")
            #expect(tmp.isEmpty)
        }
    }

    @Test func keyUsedAsFileAndDirectoryClashes() async throws {
        try await withStore { store in
            try await store.putObject(key: "a", bytes: ByteBuffer(string: "file"))
            await #expect { try await store.putObject(key: "a/b", bytes: ByteBuffer(string: "x")) } throws: {
                ($0 as? S3Error)?.code == .invalidObjectName
            }
            try await store.putObject(key: "c/d", bytes: ByteBuffer(string: "x"))
            await #expect { try await store.putObject(key: "c", bytes: ByteBuffer(string: "x")) } throws: {
                ($0 as? S3Error)?.code == .invalidObjectName
            }
            #expect(try await store.getObject(key: "a") == ByteBuffer(string: "file"))
        }
    }

    @Test func deleteRemovesEmptyDirectories() async throws {
        try await withStore { store in
            try await store.putObject(key: "x/y/z.txt", bytes: ByteBuffer(string: "z"))
            try await store.deleteObject(key: "x/y/z.txt")
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/objects").isEmpty)
            try await store.putObject(key: "x", bytes: ByteBuffer(string: "now a file"))
            #expect(try await store.getObject(key: "x") == ByteBuffer(string: "now a file"))
        }
    }
}

import Crypto
import Foundation
import NIOCore
import Testing
@testable import StreamLyOrigin

@Suite("UploadChecksum")
struct UploadChecksumTests {
    @Test func parsesAndVerifiesEachAlgorithm() throws {
        let body = ByteBuffer(string: "hello tus")
        let digests: [(String, [UInt8])] = [
            ("sha1", Array(Insecure.SHA1.hash(data: Data("hello tus".utf8)))),
            ("md5", Array(Insecure.MD5.hash(data: Data("hello tus".utf8)))),
            ("sha256", Array(SHA256.hash(data: Data("hello tus".utf8)))),
        ]
        for (name, digest) in digests {
            let checksum = try #require(UploadChecksum("\(name) \(Data(digest).base64EncodedString())"))
            var hasher = UploadChecksum.Hasher(checksum.algorithm)
            hasher.update(body.getSlice(at: 0, length: 4)!)
            hasher.update(body.getSlice(at: 4, length: 5)!)
            #expect(hasher.finalize() == checksum.digest)
        }
    }

    @Test func rejectsMalformedValues() {
        #expect(UploadChecksum("crc32 AAAAAA==") == nil)
        #expect(UploadChecksum("sha1") == nil)
        #expect(UploadChecksum("sha1 not-base64!") == nil)
        #expect(UploadChecksum("sha256 \(Data(repeating: 0, count: 20).base64EncodedString())") == nil)
    }
}

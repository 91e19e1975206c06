import Foundation
import Testing
@testable import StreamLyEdge

@Suite("TusHeaders: tus 1.0 request headers")
struct TusHeadersTests {
    @Test func metadataPairs() throws {
        // The example of the tus 1.0 specification (creation extension).
        let parsed = try TusHeaders.metadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential")
        #expect(parsed == ["filename": "world_domination_plan.pdf", "is_confidential": ""])
        #expect(try TusHeaders.metadata(nil) == [:])
        #expect(try TusHeaders.metadata("  ") == [:])
        #expect(try TusHeaders.metadata("title TXkgdmlkZW8=, size MTA=") == ["title": "My video", "size": "10"])
    }

    @Test func metadataRejectsBadInput() {
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.metadata("a YQ==,a Yg==") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.metadata("a not*base64") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.metadata("a YQ== extra") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.metadata("a YQ==,") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.metadata("tïtle YQ==") }
    }

    @Test func titleFromMetadata() {
        #expect(TusHeaders.title(["title": " Holiday ", "filename": "x.mp4"]) == "Holiday")
        #expect(TusHeaders.title(["filename": "x.mp4"]) == "x.mp4")
        #expect(TusHeaders.title([:]) == "Untitled")
    }

    @Test func byteCounts() {
        #expect(TusHeaders.byteCount("0") == 0)
        #expect(TusHeaders.byteCount("20971520") == 20_971_520)
        #expect(TusHeaders.byteCount("999999999999999999") == 999_999_999_999_999_999)
        for bad in [nil, "", "-1", "+1", "1.0", " 1", "1 ", "0x10", "1e3", "9999999999999999999"] {
            #expect(TusHeaders.byteCount(bad) == nil, "\(bad ?? "nil")")
        }
    }

    @Test func creationLength() throws {
        #expect(try TusHeaders.creationLength(length: "10", deferLength: nil) == 10)
        #expect(try TusHeaders.creationLength(length: nil, deferLength: "1") == nil)
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.creationLength(length: nil, deferLength: nil) }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.creationLength(length: nil, deferLength: "0") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.creationLength(length: "10", deferLength: "1") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.creationLength(length: "-3", deferLength: nil) }
    }

    @Test func checksums() throws {
        #expect(try TusHeaders.checksum("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=") == "sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=")
        #expect(try TusHeaders.checksum("SHA256 \(Data(repeating: 1, count: 32).base64EncodedString())").hasPrefix("sha256 "))
        #expect(try TusHeaders.checksum("md5 \(Data(repeating: 1, count: 16).base64EncodedString())").hasPrefix("md5 "))
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.checksum("crc32 AAAAAA==") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.checksum("sha1") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.checksum("sha1 AAAA") }
        #expect(throws: TusHeaders.Invalid.self) { try TusHeaders.checksum("sha1 %%%") }
    }
}

import Foundation
@testable import StreamLyEdge
import StreamLyTokens
import Testing

@Suite struct VerifiedTokensTests {
    let codec = try! PlaybackTokenCodec(key: Array("verified-tokens-tests-key-0123456789abcdef".utf8))
    let now = Date(timeIntervalSince1970: 1_900_000_000)

    func code(_ tokens: VerifiedTokens, _ token: String, _ video: String, _ now: Date) -> PlaybackTokenCodec.Failure.Code? {
        do {
            _ = try tokens.verify(token, videoID: video, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func cachedGrantsAreRecheckedForScopeAndExpiry() {
        let tokens = VerifiedTokens(codec: codec)
        let token = codec.sign(videoID: "v1", now: now, lifetime: 60)
        #expect(code(tokens, token, "v1", now) == nil)
        #expect(tokens.count == 1)
        #expect(code(tokens, token, "v1", now) == nil)
        #expect(code(tokens, token, "v2", now) == .wrongVideo)
        #expect(code(tokens, token, "v1", now.addingTimeInterval(61)) == .expired)
    }

    @Test func failuresAreNotCachedAndTheMapIsBounded() {
        let tokens = VerifiedTokens(codec: codec, capacity: 3)
        #expect(code(tokens, "garbage", "v1", now) == .malformed)
        #expect(tokens.count == 0)
        for index in 0..<5 {
            #expect(code(tokens, codec.sign(videoID: "v\(index)", now: now, lifetime: 60), "v\(index)", now) == nil)
        }
        #expect(tokens.count <= 3)
    }
}

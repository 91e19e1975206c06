import Foundation
import StreamLyTokens
import Testing

@Suite struct PlaybackTokenCodecTests {
    let codec = try! PlaybackTokenCodec(key: Array("playback-token-tests-key-0123456789abcdef".utf8))
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let video = "0b3f6a52-7a64-4b0e-9d5c-2f1e8c1a9b77"

    @Test func validTokenGrantsItsVideo() throws {
        let token = codec.sign(videoID: video, now: now, lifetime: 3_600)
        let grant = try codec.verify(token, videoID: video, now: now)
        #expect(grant == .init(videoID: video, expiresAt: 1_800_003_600))
        // Only URL-unreserved characters: usable in a query without escaping.
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) })
    }

    @Test func expiredTokenIsRefused() {
        let token = codec.sign(videoID: video, now: now, lifetime: 60)
        #expect(throws: PlaybackTokenCodec.Failure.self) { try codec.verify(token, videoID: video, now: now.addingTimeInterval(60)) }
        do {
            _ = try codec.verify(token, videoID: video, now: now.addingTimeInterval(61))
            Issue.record("accepted an expired token")
        } catch {
            #expect(error.code == .expired)
        }
    }

    @Test func tokenForAnotherVideoIsRefused() {
        let token = codec.sign(videoID: video, now: now, lifetime: 3_600)
        #expect(code(token, video: "another-video") == .wrongVideo)
    }

    @Test func tamperedTokensAreRefused() {
        let token = codec.sign(videoID: video, now: now, lifetime: 3_600)
        let parts = token.split(separator: ".").map(String.init)
        // A later expiry with the old MAC.
        #expect(code("\(parts[0]).\(Int(parts[1])! + 86_400).\(parts[2])", video: video) == .badSignature)
        // Another video id with the old MAC.
        let other = Base64URL.encode(Array("another-video".utf8))
        #expect(code("\(other).\(parts[1]).\(parts[2])", video: "another-video") == .badSignature)
        // A flipped MAC character.
        var mac = Array(parts[2])
        mac[0] = mac[0] == "A" ? "B" : "A"
        #expect(code("\(parts[0]).\(parts[1]).\(String(mac))", video: video) == .badSignature)
        // Signed with another key.
        let foreign = try! PlaybackTokenCodec(key: Array(repeating: 7, count: 32)).sign(videoID: video, now: now, lifetime: 3_600)
        #expect(code(foreign, video: video) == .badSignature)
    }

    @Test(arguments: ["", "garbage", "a.b", "a.b.c.d", "...", "YQ.12x.AAAA", "YQ.-5.AAAA", "YQ.1.!!!!", "YQ..AAAA",
                      String(repeating: "A", count: 600), "%2e.1.AAAA"])
    func garbageIsMalformed(token: String) {
        #expect(code(token, video: "a") == .malformed)
    }

    @Test func nonCanonicalSpellingsAreMalformed() {
        let token = codec.sign(videoID: "v1", now: now, lifetime: 3_600)
        let parts = token.split(separator: ".").map(String.init)
        // The MAC's last base64url character carries 2 unused bits; "v1" likewise.
        func withLast(_ part: String) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            let index = alphabet.firstIndex(of: part.last!)!
            return part.dropLast() + String(alphabet[index ^ 1])
        }
        #expect(code("\(parts[0]).\(parts[1]).\(withLast(parts[2]))", video: "v1") == .malformed)
        #expect(code("\(withLast(parts[0])).\(parts[1]).\(parts[2])", video: "v1") == .malformed)
        #expect(code("\(parts[0]).0\(parts[1]).\(parts[2])", video: "v1") == .malformed)
        #expect(code(token, video: "v1") == nil)
    }

    @Test func shortKeysAreRejected() {
        #expect(throws: PlaybackTokenCodec.Failure.self) { try PlaybackTokenCodec(key: Array(repeating: 1, count: 31)) }
    }

    private func code(_ token: String, video: String) -> PlaybackTokenCodec.Failure.Code? {
        do {
            _ = try codec.verify(token, videoID: video, now: now)
            return nil
        } catch {
            return error.code
        }
    }
}

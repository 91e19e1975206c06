import Foundation
import NIOCore
import StreamLyAPI
@testable import StreamLyEdge
import StreamLyTokens
import Testing

/// Random and mutated request text through every HLS parser of untrusted input: no crash,
/// and nothing outside the grammar is accepted.
@Suite struct HLSInputRobustnessTests {
    static let alphabet = Array("abcz019-_./%\\?#=&\" \t\r\nAZseg_m4sinitmp4index.m3u8bytes=,-~\u{0}\u{7F}é")

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomText(_ generator: inout SplitMix) -> String {
        let length = Int.random(in: 0...40, using: &generator)
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }

    @Test func randomInputs() throws {
        var generator = SplitMix(state: 42)
        let codec = try PlaybackTokenCodec(key: Array(repeating: 9, count: 32))
        let valid = codec.sign(videoID: "v1", lifetime: 60)
        for _ in 0..<20_000 {
            let text = Self.randomText(&generator)
            if let path = VODPath(text) {
                // Whatever parses prints back to itself: one spelling per object, no dot segments.
                #expect(path.relativePath == text)
                #expect(!text.contains("..") && !text.contains("%") && !text.contains("\\"))
            }
            _ = VODPath.isValidVideoID(text)
            switch ByteRangeRequest(header: text, size: 1_000) {
            case .partial(let range): #expect(range.lowerBound >= 0 && range.upperBound < 1_000)
            case .whole, .unsatisfiable: break
            }
            // Mutate a valid token at one position, or try the random text.
            var mutated = Array(valid)
            mutated[Int.random(in: 0..<mutated.count, using: &generator)] = Self.alphabet.randomElement(using: &generator)!
            for candidate in [text, String(mutated)] where candidate != valid {
                #expect(throws: PlaybackTokenCodec.Failure.self) { try codec.verify(candidate, videoID: "v1") }
            }
            _ = PlaylistRewriter.rewrite(ByteBuffer(string: text), token: "t")
        }
    }
}

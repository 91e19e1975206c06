import Foundation
import StreamLyAPI
import StreamLyTokens
import Testing
@testable import StreamLyEdge

/// Replays the `edge-input` fuzz seeds and every kept finding (`Tests/Fuzz/edge-input/corpus/`,
/// `crashes/`) through the edge's parsers as `Tests/Fuzz/edge-input/Harness.swift` feeds them
/// (byte 0 picks the parser): none may trap. Each input runs in a child process (exit test),
/// so a trapping input fails its own case only. The findings' exact answers are checked in
/// `EdgeInputRegressionTests`.
@Suite struct EdgeInputReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz").appendingPathComponent("edge-input")

    static let inputs: [String] = ["corpus", "crashes"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fuzzDirectory.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    @Test func seedCorpusIsFound() {
        #expect(Self.inputs.contains { $0.hasPrefix("corpus/") }, "no inputs in \(Self.fuzzDirectory.path)/corpus")
    }

    @Test(arguments: inputs)
    func replayDoesNotTrap(_ input: String) async {
        let path = Self.fuzzDirectory.appendingPathComponent(input).path
        let hint = "\(input) traps; see why with: Tests/Fuzz/run.sh edge-input --reproduce Tests/Fuzz/edge-input/\(input)"
        await #expect(processExitsWith: .success, Comment(rawValue: hint)) { [path = path as String] in
            Self.replay(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    static func replay(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let body = Array(input.dropFirst())
        switch selector % 6 {
        case 0:
            _ = ClientRequest.parse(body, limits: GatewayLimits())
        case 1:
            let data = Data(body)
            _ = try? JSONDecoder().decode(API.Credentials.self, from: data)
            _ = try? JSONDecoder().decode(API.RefreshRequest.self, from: data)
            _ = try? JSONDecoder().decode(API.CreateChannel.self, from: data)
            _ = try? JSONDecoder().decode(API.AddMember.self, from: data)
            _ = try? JSONDecoder().decode(API.CreateVideo.self, from: data)
            _ = try? JSONDecoder().decode(API.CreateAttachment.self, from: data)
        case 2:
            guard body.count >= 5 else { return }
            let size = body.prefix(5).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            if case .partial(let range) = ByteRangeRequest(header: String(decoding: body.dropFirst(5), as: UTF8.self), size: size) {
                precondition(range.lowerBound >= 0 && range.upperBound < size)
            }
        case 3:
            var fields = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            while fields.count < 5 { fields.append("") }
            func field(_ index: Int) -> String? { fields[index].isEmpty ? nil : fields[index] }
            _ = try? TusHeaders.creationLength(length: field(0), deferLength: field(1))
            if let metadata = try? TusHeaders.metadata(field(2)) { _ = TusHeaders.title(metadata) }
            _ = try? TusHeaders.checksum(fields[3])
            _ = TusHeaders.byteCount(field(4))
        case 4:
            let components = String(decoding: body, as: UTF8.self).split(separator: "/", omittingEmptySubsequences: false)
            guard let video = components.first else { return }
            _ = VODPath.isValidVideoID(video)
            if let parsed = VODPath(components: Array(components.dropFirst())) { precondition(VODPath(parsed.relativePath) == parsed) }
        default:
            let codec = try! PlaybackTokenCodec(key: Array("edge-input-fuzzer-playback-key-0123456789abcdef".utf8))
            _ = try? codec.verify(String(decoding: body, as: UTF8.self), videoID: "vid-1")
        }
    }
}

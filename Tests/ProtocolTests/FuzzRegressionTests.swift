import Foundation
import NIOCore
import StreamLyProtocol
import Testing

/// Replays the fuzz seeds and every kept fuzzer finding (`Tests/Fuzz/frames/corpus/`, `Tests/Fuzz/frames/crashes/`)
/// through the checks of `Tests/Fuzz/frames/Harness.swift` (duplicated in `replay` below): decoding
/// never traps and throws only `LinkProtocolError`, every decoded frame round-trips through
/// `encode(into:)`, and the connection state machine fed with the frames never traps.
/// Each input runs in a child process (exit test), so a trapping input fails its own case only.
@Suite struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz").appendingPathComponent("frames")

    /// `corpus/<name>` and `crashes/<name>` for every input file.
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
        let hint = "\(input) traps; see why with: Tests/Fuzz/run.sh frames --reproduce Tests/Fuzz/frames/\(input)"
        await #expect(processExitsWith: .success, Comment(rawValue: hint)) { [path = path as String] in
            Self.replay(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    /// Same logic as the fuzz harness: byte 0 picks the delivery chunk size (bits 0-6, 0 = all at once)
    /// and the state machine's side (bit 7 = initiator); the rest is what the peer sent.
    static func replay(_ input: [UInt8]) {
        guard let control = input.first else { return }
        let bytes = input.dropFirst()
        let chunk = control & 0x7F == 0 ? max(bytes.count, 1) : Int(control & 0x7F)
        var machine = LinkConnectionStateMachine(configuration: .init(
            nodeID: "fuzz-node", role: .origin, isInitiator: control & 0x80 != 0, authenticator: AcceptAnyProof()))
        var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        if let hello = machine.start(nonce: [UInt8](repeating: 0x5A, count: linkNonceLength), now: now) { roundTrip(hello) }
        var parser = LinkFrameParser()
        for start in stride(from: bytes.startIndex, to: bytes.endIndex, by: chunk) {
            parser.append(bytes: ByteBuffer(bytes: bytes[start..<min(start + chunk, bytes.endIndex)]))
            do {
                while let frame = try parser.nextFrame() {
                    roundTrip(frame)
                    now = now + .milliseconds(1)
                    var replies: [LinkFrame?] = []
                    switch machine.receive(frame, now: now) {
                    case .send(let reply), .fail(_, let reply), .established(_, reply: .some(let reply)): replies = [reply]
                    case .request(let f): replies = [machine.consumed(f.body.readableBytes, on: f.streamID)]
                    case .response(let f): replies = [machine.consumed(f.body.readableBytes, on: f.streamID)]
                    case .data(let f): replies = [machine.consumed(f.body.readableBytes, on: f.streamID)]
                    default: break
                    }
                    replies.append(machine.received(bodyBytes: frame.flowControlledLength))
                    replies.compactMap { $0 }.forEach(roundTrip)
                }
            } catch let error as LinkProtocolError {
                return roundTrip(machine.decodingFailed(error))
            } catch {
                preconditionFailure("decoder threw \(type(of: error)), not LinkProtocolError: \(error)")
            }
        }
    }

    /// encode → decode gives back the same frame from exactly the encoded bytes, and re-encodes
    /// identically, also when appended to a buffer that is full and partly read.
    static func roundTrip(_ frame: LinkFrame) {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        let encoded = buffer
        let decoded = try? LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: LinkSettings.maxMaxFrameSize)
        precondition(decoded == frame && buffer.readableBytes == 0, "round trip of \(frame) gave \(String(describing: decoded))")
        var again = ByteBuffer(bytes: [0xEE, 0xEE])  // appended to a full, partly read buffer
        again.moveReaderIndex(forwardBy: 1)
        again.writeRepeatingByte(0xEE, count: again.writableBytes)
        let start = again.writerIndex
        decoded!.encode(into: &again)
        precondition(again.getSlice(at: start, length: again.writerIndex - start) == encoded, "encoding of \(frame) is not stable")
    }

    struct AcceptAnyProof: LinkAuthenticator {
        var methods: LinkAuthMethods { [.clusterSecret, .mutualTLS] }
        func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8] { [UInt8](repeating: 0xA5, count: 32) }
        func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool { true }
    }
}

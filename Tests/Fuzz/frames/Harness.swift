// libFuzzer target `frames` (Tests/Fuzz/run.sh frames): the link frame decoder (`LinkFrameParser`) and the
// connection state machine fed by it. Not part of any SwiftPM target: built and
// run by `Tests/Fuzz/run.sh frames`, which links it against an instrumented build of
// StreamLyProtocol. `Tests/ProtocolTests/FuzzRegressionTests.swift` replays the
// corpus and every kept crash input with the same logic.
//
// Input layout: byte 0 is a control byte, the rest is the byte stream a peer sent.
//   bits 0-6: delivery chunk size (0 = everything at once, n = n bytes per append)
//   bit 7:    set = drive the state machine as the initiator (client), else as server
//
// Checked invariants (a violation traps, which libFuzzer reports as a crash):
//   - decoding never traps; the only error it throws is `LinkProtocolError`;
//   - every decoded frame re-encodes to bytes that decode to an equal frame,
//     consuming them exactly, and that encoding is stable (encode∘decode∘encode)
//     and the same when appended to a full, partly read buffer;
//   - the state machine never traps and every frame it asks to send round-trips.
//
// `FUZZ_WRITE_SEEDS=<dir>` makes the binary write the seed corpus into <dir> and exit
// (see `run.sh frames --seeds`), so the seeds always come from the real encoder.
import NIOCore
import StreamLyProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Accepts any proof; the fuzzer is not trying to guess HMACs.
struct AcceptAnyProof: LinkAuthenticator {
    var methods: LinkAuthMethods { [.clusterSecret, .mutualTLS] }
    func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8] { [UInt8](repeating: 0xA5, count: 32) }
    func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool { true }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    fuzzOne(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

func fuzzOne(_ input: UnsafeRawBufferPointer) {
    guard let control = input.first else { return }
    let stream = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let chunk = control & 0x7F == 0 ? max(stream.count, 1) : Int(control & 0x7F)

    var machine = LinkConnectionStateMachine(configuration: .init(
        nodeID: "fuzz-node", role: .origin, isInitiator: control & 0x80 != 0, authenticator: AcceptAnyProof()))
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    if let hello = machine.start(nonce: [UInt8](repeating: 0x5A, count: linkNonceLength), now: now) {
        checkRoundTrip(hello)
    }

    var parser = LinkFrameParser()
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunk, stream.count)
        parser.append(bytes: ByteBuffer(bytes: stream[offset..<end]))
        offset = end
        while true {
            let frame: LinkFrame?
            do {
                frame = try parser.nextFrame()
            } catch let error as LinkProtocolError {
                checkRoundTrip(machine.decodingFailed(error))
                return  // the connection is over after a decoding error
            } catch {
                preconditionFailure("decoder threw \(type(of: error)), not LinkProtocolError: \(error)")
            }
            guard let frame else { break }
            checkRoundTrip(frame)
            now = now + .milliseconds(1)
            handle(machine.receive(frame, now: now), machine: &machine)
            if let update = machine.received(bodyBytes: frame.flowControlledLength) { checkRoundTrip(update) }
        }
    }
}

/// Does what `LinkConnectionHandler` would: write replies, credit the connection
/// window for every frame, and have the application read every delivered body.
func handle(_ action: LinkConnectionStateMachine.ReceiveAction, machine: inout LinkConnectionStateMachine) {
    switch action {
    case .none, .windowOpened, .pong, .streamReset, .message, .goAway:
        break
    case .send(let frame), .fail(_, let frame):
        checkRoundTrip(frame)
    case .established(_, let reply):
        if let reply { checkRoundTrip(reply) }
    case .request(let request):
        if let update = machine.consumed(request.body.readableBytes, on: request.streamID) { checkRoundTrip(update) }
    case .response(let response):
        if let update = machine.consumed(response.body.readableBytes, on: response.streamID) { checkRoundTrip(update) }
    case .data(let chunk):
        if let update = machine.consumed(chunk.body.readableBytes, on: chunk.streamID) { checkRoundTrip(update) }
    }
}

/// encode → decode must give back the same frame, consume exactly the encoding,
/// and encode again to the same bytes, also when appended to a non-empty buffer.
func checkRoundTrip(_ frame: LinkFrame) {
    var buffer = ByteBuffer()
    frame.encode(into: &buffer)
    let encoded = buffer
    let decoded: LinkFrame?
    do {
        decoded = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: LinkSettings.maxMaxFrameSize)
    } catch {
        preconditionFailure("re-decoding \(frame) failed: \(error)")
    }
    guard let decoded else { preconditionFailure("re-encoded \(frame) is incomplete: \(encoded.readableBytes) bytes") }
    precondition(decoded == frame, "round trip changed the frame:\n  \(frame)\n  \(decoded)")
    precondition(buffer.readableBytes == 0, "\(buffer.readableBytes) bytes left after re-decoding \(frame)")
    var again = ByteBuffer()
    decoded.encode(into: &again)
    precondition(again == encoded, "encoding of \(frame) is not stable")
    // Appending to a buffer that is already full and partly read must write the same bytes.
    var full = ByteBuffer(bytes: [0xEE, 0xEE])
    full.moveReaderIndex(forwardBy: 1)
    full.writeRepeatingByte(0xEE, count: full.writableBytes)
    let start = full.writerIndex
    frame.encode(into: &full)
    precondition(full.getSlice(at: start, length: full.writerIndex - start) == encoded,
                 "encoding \(frame) after other bytes differs")
}

// MARK: - Seed corpus

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("FUZZ_WRITE_SEEDS") {
        writeSeeds(to: String(cString: dir))
        exit(0)
    }
    return 0
}

func writeSeeds(to dir: String) {
    let stream = LinkStreamID(1)
    var settings = LinkSettings()
    settings.maxFrameSize = 32_768
    let hello = LinkFrame.hello(.init(minVersion: 1, maxVersion: 1, nodeID: "edge-1", role: .edge,
                                      authMethods: [.clusterSecret], nonce: [UInt8](repeating: 1, count: linkNonceLength),
                                      settings: settings))
    let auth = LinkFrame.auth(.init(proof: [UInt8](repeating: 2, count: 32)))
    let request = LinkFrame.request(.init(streamID: stream, method: "GET /live/1", metadata: ["accept": "video/mp2t"],
                                          body: ByteBuffer(string: "hi"), endStream: false))
    let data = LinkFrame.data(.init(streamID: stream, body: ByteBuffer(string: "body bytes"), endStream: true))
    let ping = LinkFrame.ping(.init(opaque: 0x0123_4567_89AB_CDEF, ack: false))
    let goAway = LinkFrame.goAway(.init(lastStreamID: stream, code: .noError, reason: "drain"))
    let windowUpdate = LinkFrame.windowUpdate(.init(streamID: .connection, increment: 65_536))
    let seeds: [(String, UInt8, [LinkFrame])] = [
        ("hello", 0, [hello]),
        ("request", 0, [request]),
        ("data", 3, [data]),
        ("ping", 0, [ping]),
        ("goaway", 0, [goAway]),
        ("window-update", 0, [windowUpdate]),
        ("welcome", 0x80, [.welcome(.init(version: 1, nodeID: "origin-1", role: .origin, authMethod: .clusterSecret,
                                          nonce: [UInt8](repeating: 3, count: linkNonceLength), settings: LinkSettings()))]),
        ("response-reset-message", 0, [
            .response(.init(streamID: LinkStreamID(2), status: 200, metadata: ["x": "y"], endStream: false)),
            .reset(.init(streamID: LinkStreamID(2), code: .cancel, reason: "gone")),
            .message(.init(topic: "events", metadata: ["k": "v"], payload: ByteBuffer(string: "{}"))),
        ]),
        // A whole server-side session: handshake, a stream, flow control, ping, drain.
        ("session", 7, [hello, auth, request, .windowUpdate(.init(streamID: stream, increment: 1_000)), data,
                        ping, .ping(.init(opaque: 9, ack: true)), windowUpdate, goAway]),
    ]
    for (name, control, frames) in seeds {
        var buffer = ByteBuffer(integer: control)
        for frame in frames { frame.encode(into: &buffer) }
        let path = "\(dir)/seed-\(name)"
        guard let file = fopen(path, "wb") else { preconditionFailure("cannot create \(path)") }
        let bytes = buffer.readableBytesView
        precondition(bytes.withContiguousStorageIfAvailable { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count)
        fclose(file)
    }
}

import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import StreamLyProtocol

@Suite("Frame codec")
struct LinkFrameCodecTests {
    static let names = Fixtures.samples.map(\.name)

    static func sample(_ name: String) -> (frame: LinkFrame, hex: String) {
        let sample = Fixtures.samples.first { $0.name == name }!
        return (sample.frame, sample.hex)
    }

    @Test("golden bytes", arguments: names)
    func goldenBytes(name: String) {
        let (frame, hex) = Self.sample(name)
        #expect(Fixtures.hex(Fixtures.encode(frame)) == hex)
    }

    @Test("round trip", arguments: names)
    func roundTrip(name: String) throws {
        let (frame, hex) = Self.sample(name)
        #expect(try Fixtures.decodeAll(Fixtures.bytes(hex)) == [frame])
        #expect(try Fixtures.decodeAll(Fixtures.encode(frame)) == [frame])
    }

    @Test("truncated input waits for more bytes, byte by byte", arguments: names)
    func truncatedInputNeedsMoreData(name: String) throws {
        let bytes = Fixtures.bytes(Self.sample(name).hex)
        var parser = LinkFrameParser()
        for index in 0..<bytes.readableBytes - 1 {
            parser.append(bytes: bytes.getSlice(at: index, length: 1)!)
            #expect(try parser.nextFrame() == nil)
        }
        parser.append(bytes: bytes.getSlice(at: bytes.readableBytes - 1, length: 1)!)
        #expect(try parser.nextFrame() == Self.sample(name).frame)
    }

    /// A payload cut short but with a consistent length prefix: fixed-layout fields are missing.
    @Test("truncated payload is a FRAME_SIZE_ERROR",
          arguments: ["HELLO", "WELCOME", "AUTH", "AUTH_OK", "RESET", "WINDOW_UPDATE", "PING", "GOAWAY"])
    func truncatedPayload(name: String) {
        var bytes = Fixtures.bytes(Self.sample(name).hex)
        let payloadLength = bytes.readableBytes - LinkFrameHeader.size
        let cut = payloadLength / 2
        bytes.setInteger(UInt32(cut), at: 0)
        bytes.moveWriterIndex(to: LinkFrameHeader.size + cut)
        #expect(Fixtures.decodingError(bytes) == .frameSizeError)
    }

    @Test("oversized length prefix is refused from the header alone")
    func oversizedLengthPrefix() {
        var bytes = ByteBuffer()
        LinkFrameHeader(length: 0xFFFF_FFFF, type: .data, flags: [], streamID: LinkStreamID(1)).write(to: &bytes)
        #expect(Fixtures.decodingError(bytes) == .frameSizeError)
        var justOver = ByteBuffer()
        LinkFrameHeader(length: LinkSettings().maxFrameSize + 1, type: .data, flags: [], streamID: LinkStreamID(1)).write(to: &justOver)
        #expect(Fixtures.decodingError(justOver) == .frameSizeError)
    }

    @Test("unknown frame type", arguments: [UInt8(0x00), 0x05, 0x16, 0x7F, 0xFF])
    func unknownType(type: UInt8) {
        var bytes = ByteBuffer()
        LinkFrameHeader(length: 0, type: LinkFrameType(rawValue: type), flags: [], streamID: .connection).write(to: &bytes)
        #expect(Fixtures.decodingError(bytes) == .unknownFrameType)
    }

    @Test("connection frames on a stream and stream frames on stream 0 are protocol errors")
    func wrongStream() {
        var ping = Fixtures.bytes(Self.sample("PING").hex)
        ping.setInteger(UInt32(3), at: 6)
        #expect(Fixtures.decodingError(ping) == .protocolError)
        var data = Fixtures.bytes(Self.sample("DATA").hex)
        data.setInteger(UInt32(0), at: 6)
        #expect(Fixtures.decodingError(data) == .protocolError)
    }

    @Test("trailing bytes after a fixed payload are a protocol error")
    func trailingBytes() {
        var bytes = ByteBuffer()
        LinkFrameHeader(length: 9, type: .ping, flags: [], streamID: .connection).write(to: &bytes)
        bytes.writeInteger(UInt64(1))
        bytes.writeInteger(UInt8(0))
        #expect(Fixtures.decodingError(bytes) == .protocolError)
    }

    @Test("bad magic, invalid UTF-8 and out-of-range fields")
    func invalidFields() {
        var hello = Fixtures.bytes(Self.sample("HELLO").hex)
        hello.setInteger(UInt8(ascii: "X"), at: LinkFrameHeader.size)
        #expect(Fixtures.decodingError(hello) == .protocolError)

        var request = Fixtures.bytes(Self.sample("REQUEST").hex)
        request.setInteger(UInt8(0xFF), at: LinkFrameHeader.size + 1)
        #expect(Fixtures.decodingError(request) == .protocolError)

        var zeroWindow = Fixtures.bytes(Self.sample("WINDOW_UPDATE").hex)
        zeroWindow.setInteger(UInt32(0), at: LinkFrameHeader.size)
        #expect(Fixtures.decodingError(zeroWindow) == .flowControlError)

        var smallFrames = Fixtures.bytes(Self.sample("HELLO").hex)
        let settingsValue = smallFrames.writerIndex - 30 + 2
        smallFrames.setInteger(UInt32(100), at: settingsValue)
        #expect(Fixtures.decodingError(smallFrames) == .protocolError)
    }

    /// Metadata blocks are checked with one ASCII scan when they can be; these take the other path.
    @Test("metadata with non-ASCII strings or length bytes round-trips; invalid UTF-8 in a value is refused")
    func metadataBeyondASCII() throws {
        let long = String(repeating: "v", count: 200)  // its length prefix holds 0xC8
        let request = LinkFrame.request(.init(streamID: LinkStreamID(1), method: "méthode",
                                              metadata: ["café": "日本語", "long": long, "plain": "ascii"],
                                              body: ByteBuffer(string: "body"), endStream: true))
        let decoded = try Fixtures.decodeAll(Fixtures.encode(request))
        #expect(decoded == [request])
        guard case .request(let received) = decoded.first else { return }
        #expect(received.metadata["café"] == "日本語" && received.metadata["long"] == long)

        let message = LinkFrame.message(.init(topic: "t", metadata: ["k": long], payload: ByteBuffer()))
        var bad = Fixtures.encode(message)
        // The last byte of the value: 0xFF is never UTF-8.
        bad.setInteger(UInt8(0xFF), at: bad.writerIndex - 1)
        #expect(Fixtures.decodingError(bad) == .protocolError)
    }

    @Test("metadata over 64 fields is refused")
    func tooManyMetadataFields() {
        var payload = ByteBuffer()
        payload.writeString8("m")
        payload.writeInteger(UInt8(65))
        var bytes = ByteBuffer()
        LinkFrameHeader(length: UInt32(payload.readableBytes), type: .request, flags: .endStream,
                        streamID: LinkStreamID(1)).write(to: &bytes)
        bytes.writeBuffer(&payload)
        #expect(Fixtures.decodingError(bytes) == .protocolError)
    }

    @Test("ByteToMessageDecoderVerifier accepts the decoder")
    func decoderVerifier() throws {
        let pairs = Fixtures.samples.map { (Fixtures.bytes($0.hex), [$0.frame]) }
        var all = ByteBuffer()
        for sample in Fixtures.samples { all.writeImmutableBuffer(Fixtures.bytes(sample.hex)) }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: pairs + [(all, Fixtures.samples.map(\.frame))],
            decoderFactory: { LinkFrameDecoder() }
        )
    }

    @Test("encoder and decoder round trip through an EmbeddedChannel, large bodies unchanged")
    func embeddedChannelRoundTrip() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(LinkFrameEncoder())
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LinkFrameDecoder()))
        let big = ByteBuffer(repeating: 0x42, count: 60_000)
        let frames = Fixtures.samples.map(\.frame) + [.data(.init(streamID: LinkStreamID(9), body: big, endStream: true))]
        for frame in frames {
            try channel.writeOutbound(frame)
            while let bytes = try channel.readOutbound(as: ByteBuffer.self) {
                try channel.writeInbound(bytes)
            }
            #expect(try channel.readInbound(as: LinkFrame.self) == frame)
        }
        #expect(try channel.finish().isClean)
    }

    @Test("frames written between flushes leave as one buffer, in order; promises complete with it")
    func encoderCoalesces() throws {
        let channel = EmbeddedChannel(handler: LinkFrameEncoder())
        let frames = Fixtures.samples.map(\.frame)
        var promises: [EventLoopFuture<Void>] = []
        for frame in frames {
            let promise = channel.eventLoop.makePromise(of: Void.self)
            channel.write(frame, promise: promise)
            promises.append(promise.futureResult)
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)  // nothing before the flush
        channel.flush()
        let burst = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(try Fixtures.decodeAll(burst) == frames)
        let completed = NIOLockedValueBox(0)
        for promise in promises { promise.whenSuccess { completed.withLockedValue { $0 += 1 } } }
        #expect(completed.withLockedValue { $0 } == frames.count)
        #expect(try channel.finish().isClean)
    }

    @Test("a large body follows the frames before it uncopied; a full burst is written early")
    func encoderLargeBodyAndLimit() throws {
        let channel = EmbeddedChannel(handler: LinkFrameEncoder())
        let ping = LinkFrame.ping(.init(opaque: 7, ack: false))
        let big = ByteBuffer(repeating: 0x42, count: LinkFrameEncoder.zeroCopyThreshold)
        let data = LinkFrame.data(.init(streamID: LinkStreamID(5), body: big, endStream: true))
        channel.write(ping, promise: nil)
        channel.write(data, promise: nil)
        channel.write(ping, promise: nil)
        channel.flush()
        let head = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let body = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let tail = try #require(try channel.readOutbound(as: ByteBuffer.self))
        // The body buffer itself, not a copy into the burst: the same bytes in memory.
        let address = { (buffer: ByteBuffer) in buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(address(body) == address(big))
        var all = head
        all.writeImmutableBuffer(body)
        all.writeImmutableBuffer(tail)
        #expect(try Fixtures.decodeAll(all) == [ping, data, ping])

        // Small frames past the limit are written (not flushed) as the burst fills.
        let small = LinkFrame.data(.init(streamID: LinkStreamID(7), body: ByteBuffer(repeating: 1, count: 1_000), endStream: false))
        let count = LinkFrameEncoder.coalesceLimit / 1_000 + 10
        for _ in 0..<count { channel.write(small, promise: nil) }
        channel.flush()
        var buffers: [ByteBuffer] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { buffers.append(buffer) }
        #expect(buffers.count == 2)
        #expect(buffers.allSatisfy { $0.readableBytes < LinkFrameEncoder.coalesceLimit + 1_100 })
        var joined = ByteBuffer()
        for buffer in buffers { joined.writeImmutableBuffer(buffer) }
        #expect(try Fixtures.decodeAll(joined) == Array(repeating: small, count: count))
        #expect(try channel.finish().isClean)
    }

    @Test("frames not yet flushed go down the pipeline before a close (the channel fails them there)")
    func encoderCloseHandsOnUnflushed() throws {
        let recorder = OutboundRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(recorder, LinkFrameEncoder())
        channel.write(LinkFrame.ping(.init(opaque: 1, ack: false)), promise: nil)
        #expect(recorder.events.isEmpty)
        _ = try? channel.close().wait()
        #expect(recorder.events == ["write 18", "close"])
    }

    @Test("the decoder reports protocol errors through the pipeline")
    func decoderErrorInPipeline() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LinkFrameDecoder()))
        var bytes = ByteBuffer()
        LinkFrameHeader(length: 1 << 30, type: .data, flags: [], streamID: LinkStreamID(1)).write(to: &bytes)
        #expect(throws: LinkProtocolError.self) { try channel.writeInbound(bytes) }
        _ = try? channel.finish()
    }
}

/// Records the writes (their sizes) and closes that pass it, on their way to the head.
private final class OutboundRecorder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var events: [String] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        events.append("write \(unwrapOutboundIn(data).readableBytes)")
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        events.append("close")
        context.close(mode: mode, promise: promise)
    }
}

import Dispatch
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing
@testable import StreamLyEdge

@Suite("Fan-out frames encoded once")
struct OutboundTextTests {
    /// What NIO's own encoder and decoder make of `frames`, one after another on the wire.
    static func decode(_ wire: ByteBuffer) throws -> [WebSocketFrame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(wire)
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readInbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    static func text(_ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) })
    }

    @Test("each text's frame is a whole final text frame, unmasked, with the header length its size calls for",
          arguments: [0, 1, 125, 126, 65_535, 65_536, 200_000])
    func framesDecode(count: Int) throws {
        let text = Self.text(count)
        let shared = OutboundText.shared([text, Self.text(3)])
        #expect(shared.count == 2)
        let frame = try #require(shared[0].frame)
        let header = count <= 125 ? 2 : count <= 65_535 ? 4 : 10
        #expect(frame.readableBytes == header + count)
        #expect(shared[0].text == text, "the send buffer's bound still counts the text")
        var wire = frame
        wire.writeImmutableBuffer(try #require(shared[1].frame))
        let decoded = try Self.decode(wire)
        #expect(decoded.count == 2)
        #expect(decoded.first?.opcode == .text)
        #expect(decoded.first?.fin == true)
        #expect(decoded.first?.maskKey == nil)
        #expect(decoded.first?.data == text)
        #expect(decoded.last?.data == Self.text(3))
    }

    @Test("frames encoded on many threads at once are each whole and right (each thread has its encoder)")
    func encodesOnManyThreads() throws {
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<200 {
                let text = Self.text((thread * 37 + index * 11) % 300)
                do {
                    let frame = try #require(OutboundText.shared([text])[0].frame)
                    let decoded = try Self.decode(frame)
                    if decoded.map(\.data) != [text] { failures.withLock { $0.append("thread \(thread), frame \(index)") } }
                } catch {
                    failures.withLock { $0.append("thread \(thread), frame \(index): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test("the transport writes a shared frame's buffer as it is, one buffer per frame, in order with frames the encoder builds")
    func transportWritesSharedFramesAsTheyAre() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        defer { _ = try? channel.finish() }
        let transport = try Self.transport(channel)
        let shared = OutboundText.shared([Self.text(10), Self.text(300)])
        transport.writeOnLoop([shared[0], OutboundText(Self.text(20)), shared[1]])

        var written: [ByteBuffer] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written.append(buffer) }
        func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? { buffer.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) } }
        #expect(address(written[0]) == address(try #require(shared[0].frame)), "the shared buffer itself, not a copy")
        #expect(address(try #require(written.last)) == address(try #require(shared[1].frame)))
        let wire = written.reduce(into: ByteBuffer()) { wire, buffer in wire.writeImmutableBuffer(buffer) }
        #expect(try Self.decode(wire).map(\.data) == [Self.text(10), Self.text(20), Self.text(300)])
    }

    /// A transport on `channel`, whose high watermark is 200 bytes (EmbeddedChannel has no
    /// watermark until one is set).
    static func transport(_ channel: EmbeddedChannel) throws -> ChannelTransport {
        try channel.syncOptions!.setOption(.writeBufferWaterMark, value: .init(low: 100, high: 200))
        return try ChannelTransport(channel: channel)
    }

    @Test("the transport tells whether the connection holds more than a count of unsent bytes")
    func holdsMore() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        defer { _ = try? channel.finish() }
        let transport = try Self.transport(channel)
        #expect(!transport.holdsMore(than: 0))
        // EmbeddedChannel keeps what is written until it is read: 300 bytes of payload, 304 with
        // the header, held and not writable.
        channel.isWritable = false
        channel.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: Array(repeating: 0x61, count: 300))), promise: nil)
        #expect(transport.holdsMore(than: 250))
        #expect(!transport.holdsMore(than: 400))
    }

    @Test("the transport fits a session's existential in place (no box of its own), and needs the frame encoder")
    func transportLayout() throws {
        #expect(MemoryLayout<ChannelTransport>.size <= 3 * MemoryLayout<Int>.size)
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        #expect(throws: (any Error).self) { try ChannelTransport(channel: channel) }
    }

    @Test("a shared frame written after the connection is gone is dropped without a trap")
    func writeAfterClose() throws {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        let transport = try Self.transport(channel)
        _ = try channel.finish()
        transport.writeOnLoop(OutboundText.shared([Self.text(10)]))
        #expect(!transport.holdsMore(than: 0))
    }
}

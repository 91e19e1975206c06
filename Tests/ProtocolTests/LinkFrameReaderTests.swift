import NIOCore
import NIOEmbedded
import Testing
@testable import StreamLyProtocol

@Suite("Frame reader")
struct LinkFrameReaderTests {
    /// Every sample frame plus DATA frames larger than a read, in one byte stream.
    static func stream() -> (frames: [LinkFrame], bytes: ByteBuffer) {
        var frames = Fixtures.samples.map(\.frame)
        frames.append(.data(.init(streamID: LinkStreamID(3), body: ByteBuffer(repeating: 0x41, count: 65_536), endStream: false)))
        frames.append(.data(.init(streamID: LinkStreamID(3), body: ByteBuffer(repeating: 0x42, count: 3_000), endStream: false)))
        frames.append(.data(.init(streamID: LinkStreamID(3), body: ByteBuffer(), endStream: true)))
        var bytes = ByteBuffer()
        for frame in frames { frame.encode(into: &bytes) }
        return (frames, bytes)
    }

    /// Feeds `bytes` in reads of the given sizes (cycled) and returns what comes out.
    static func read(_ bytes: ByteBuffer, in sizes: [Int]) throws -> [LinkFrame] {
        let channel = EmbeddedChannel(handler: LinkFrameReader())
        var bytes = bytes
        var index = 0
        while bytes.readableBytes > 0 {
            let size = min(sizes[index % sizes.count], bytes.readableBytes)
            index += 1
            try channel.writeInbound(bytes.readSlice(length: size)!)
        }
        var frames: [LinkFrame] = []
        while let frame = try channel.readInbound(as: LinkFrame.self) { frames.append(frame) }
        _ = try channel.finish()
        return frames
    }

    @Test("frames come out whole and in order however the reads split them",
          arguments: [[1], [7], [10], [11], [4_096], [65_536], [65_546], [1 << 20], [3, 65_540, 9, 70_000, 1]])
    func anySplit(sizes: [Int]) throws {
        let (frames, bytes) = Self.stream()
        #expect(try Self.read(bytes, in: sizes) == frames)
    }

    @Test("an oversized length is refused from the header, even when it spans two reads")
    func oversizedAcrossReads() throws {
        let channel = EmbeddedChannel(handler: LinkFrameReader(maxFrameSize: 16_384))
        var header = ByteBuffer()
        LinkFrameHeader(length: 16_385, type: .data, flags: [], streamID: LinkStreamID(1)).write(to: &header)
        try channel.writeInbound(header.readSlice(length: 4)!)
        #expect(throws: LinkProtocolError.self) { try channel.writeInbound(header) }
        // Nothing more is decoded after the error.
        var ping = ByteBuffer()
        LinkFrame.ping(.init(opaque: 1, ack: false)).encode(into: &ping)
        try channel.writeInbound(ping)
        #expect(try channel.readInbound(as: LinkFrame.self) == nil)
        _ = try? channel.finish()
    }
}

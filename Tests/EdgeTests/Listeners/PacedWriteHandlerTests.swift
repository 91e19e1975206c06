import NIOCore
import NIOEmbedded
import Testing
import StreamLyListeners

@Suite("Paced writes above TLS")
struct PacedWriteHandlerTests {
    /// An active channel with the pacer (pieces of `piece` bytes) and a recorder of what
    /// reaches the layer below it (TLS, in the listeners).
    static func channel(piece: Int = 4) throws -> (EmbeddedChannel, Below) {
        let channel = EmbeddedChannel()
        let below = Below()
        try channel.pipeline.syncOperations.addHandler(below)
        try channel.pipeline.syncOperations.addHandler(PacedWriteHandler(pieceBytes: piece))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, below)
    }

    /// Records the writes and flushes that leave the pacer.
    final class Below: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var writes: [String] = []
        var flushes = 0
        var closedOutput = false
        /// Runs at each flush (a test's stand-in for TLS filling the socket's buffer).
        var onFlush: (() -> Void)?

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            writes.append(String(buffer: unwrapOutboundIn(data)))
            promise?.succeed()
        }

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            onFlush?()
        }

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            if mode == .output { closedOutput = true; promise?.succeed() } else { context.close(mode: mode, promise: promise) }
        }
    }

    static func setWritable(_ channel: EmbeddedChannel, _ writable: Bool) {
        channel.isWritable = writable
        channel.pipeline.fireChannelWritabilityChanged()
    }

    @Test("a large write leaves a piece at a time, only while the channel is writable")
    func pieces() throws {
        let (channel, below) = try Self.channel(piece: 4)
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.write(ByteBuffer(string: "0123456789"), promise: written)
        #expect(below.writes.isEmpty, "nothing leaves before a flush")
        Self.setWritable(channel, false)
        channel.flush()
        #expect(below.writes.isEmpty, "nothing leaves while the channel is not writable")

        // Each piece is followed by a flush; a flush below that makes the channel unwritable
        // stops the rest (here: the test turns writability off after the first piece).
        channel.isWritable = true
        below.onFlush = { channel.isWritable = false }
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(below.writes == ["0123"])
        var done = false
        written.futureResult.whenSuccess { done = true }
        #expect(!done, "the write's promise waits for its last byte")

        below.onFlush = nil
        Self.setWritable(channel, true)
        #expect(below.writes == ["0123", "4567", "89"])
        #expect(done)
        _ = try channel.finish()
    }

    @Test("small writes travel together; writes without a flush stay")
    func batching() throws {
        let (channel, below) = try Self.channel(piece: 8)
        channel.write(ByteBuffer(string: "ab"), promise: nil)
        channel.write(ByteBuffer(string: "cd"), promise: nil)
        channel.flush()
        channel.write(ByteBuffer(string: "ef"), promise: nil)
        #expect(below.writes == ["ab", "cd"] && below.flushes == 1)
        channel.flush()
        #expect(below.writes == ["ab", "cd", "ef"] && below.flushes == 2)
        _ = try channel.finish()
    }

    @Test("a half-closure waits for the writes before it and refuses later ones; a full close fails them")
    func closes() throws {
        let (channel, below) = try Self.channel(piece: 4)
        Self.setWritable(channel, false)
        channel.write(ByteBuffer(string: "answer"), promise: nil)
        channel.flush()
        channel.close(mode: .output, promise: nil)
        #expect(!below.closedOutput)
        let late = channel.eventLoop.makePromise(of: Void.self)
        var lateFailed = false
        late.futureResult.whenFailure { _ in lateFailed = true }
        channel.write(ByteBuffer(string: "late"), promise: late)
        #expect(lateFailed, "a write after the half-closure is refused")
        Self.setWritable(channel, true)
        #expect(below.writes == ["answ", "er"])
        #expect(below.closedOutput)
        _ = try channel.finish()

        let (other, _) = try Self.channel(piece: 4)
        Self.setWritable(other, false)
        let dropped = other.eventLoop.makePromise(of: Void.self)
        other.writeAndFlush(ByteBuffer(string: "never read"), promise: dropped)
        other.close(promise: nil)
        var failed = false
        dropped.futureResult.whenFailure { _ in failed = true }
        #expect(failed)
    }
}

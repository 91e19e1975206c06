import NIOCore
import NIOEmbedded
import NIOPosix
import NIOWebSocket

/// A text message on its way to one WebSocket client: its text, and for a message that goes
/// to many clients (fan-out) its whole frame, encoded once.
///
/// Frames from a server are not masked (RFC 6455 §5.1), so every subscriber of an event gets
/// the same bytes. Writing that one shared buffer per subscriber leaves NIO's frame encoder
/// out of the per-delivery path: no frame header built and no second buffer (iovec) per
/// subscriber, and NIO writes a single buffer with `write` rather than `writev`.
struct OutboundText: Sendable {
    /// The message (JSON); what the send buffer's bound counts.
    let text: ByteBuffer
    /// `text` as a whole final text frame, when encoded for fan-out.
    let frame: ByteBuffer?

    init(_ text: ByteBuffer) {
        self.text = text
        self.frame = nil
    }

    private init(text: ByteBuffer, frame: ByteBuffer) {
        self.text = text
        self.frame = frame
    }

    /// The same text and frame in buffers of their own (one per event loop: see `ChatHub.queue`).
    func copied() -> OutboundText {
        func copy(_ buffer: ByteBuffer) -> ByteBuffer {
            var copy = ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
            copy.writeImmutableBuffer(buffer)
            return copy
        }
        guard let frame else { return OutboundText(copy(text)) }
        return OutboundText(text: copy(text), frame: copy(frame))
    }

    /// `texts` with their frames, encoded by NIO's `WebSocketFrameEncoder`: for messages that
    /// go to many clients.
    static func shared(_ texts: [ByteBuffer]) -> [OutboundText] {
        guard !texts.isEmpty else { return [] }
        let encoder = ThreadFrameEncoder.current
        return texts.map { text in
            encoder.encode(text).map { OutboundText(text: text, frame: $0) } ?? OutboundText(text)
        }
    }
}

/// NIO's `WebSocketFrameEncoder` on an `EmbeddedChannel` of this thread's own, made once per
/// thread (setting one up and finishing it costs ≈ 25 µs, more than a small channel's
/// fan-out saves; encoding a frame on it ≈ 1 µs).
///
/// `@unchecked Sendable`: an `EmbeddedChannel` may only be used on the thread that made it;
/// each instance is reached only through the thread-specific `current`, on its own thread.
private final class ThreadFrameEncoder: @unchecked Sendable {
    private static let perThread = ThreadSpecificVariable<ThreadFrameEncoder>()
    private let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())

    static var current: ThreadFrameEncoder {
        if let encoder = perThread.currentValue { return encoder }
        let encoder = ThreadFrameEncoder()
        perThread.currentValue = encoder
        return encoder
    }

    deinit {
        _ = try? channel.finish()  // when its thread ends, on that thread
    }

    /// `text` as one whole final text frame; nil if the encoder refused it (not expected: the
    /// frame is then encoded per client).
    func encode(_ text: ByteBuffer) -> ByteBuffer? {
        do {
            try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, data: text))
            // The encoder writes the header and the payload (or one buffer, when it could
            // prepend the header): joined here into one buffer.
            var frame = channel.allocator.buffer(capacity: text.readableBytes + 14)
            while var part = try channel.readOutbound(as: ByteBuffer.self) {
                frame.writeBuffer(&part)
            }
            return frame
        } catch {
            while (try? channel.readOutbound(as: ByteBuffer.self)) != nil {}  // nothing left for the next
            return nil
        }
    }
}

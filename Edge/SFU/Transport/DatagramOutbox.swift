import NIOCore
import Synchronization

/// What the transports of one event loop send through the media socket, flushed once per loop
/// tick so that a tick's datagrams leave in one `sendmmsg`. On the socket's own loop each
/// datagram is written at once; on another loop they are collected during the tick and handed
/// to the socket's loop in one task (not one hop per datagram, as `Channel.write` from another
/// loop would make).
///
/// Forwarded packets are written into recycled buffers: `send(swapping:to:)` hands the caller
/// a spare buffer in place of the one it sends, and sent buffers come back as spares once the
/// socket has written them. A sender that reused one buffer would otherwise allocate for every
/// copy queued before the tick's flush (the queued datagram still holds its storage).
///
/// One per event loop per media socket (`MediaServer`'s `outbox(for:)`).
// @unchecked Sendable: the mutable state is only touched on `eventLoop`, except `returned`
// (a mutex: the socket's loop gives buffers back to another loop's outbox).
final class DatagramOutbox: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// The media socket's loop, where the pipeline is written.
    let socketEventLoop: any EventLoop
    /// Written to directly on the socket's loop (no existential `Channel` call, no loop check
    /// per datagram).
    private let pipeline: ChannelPipeline.SynchronousOperations
    private let isSocketLoop: Bool
    private let bufferCapacity: Int
    /// Datagrams of this tick not yet handed to the socket's loop (another loop only).
    private var pending: [AddressedEnvelope<ByteBuffer>] = []
    /// Buffers sent with `send(swapping:to:)` this tick: spares once written.
    private var sentBuffers: [ByteBuffer] = []
    private var spares: [ByteBuffer] = []
    private let returned = Mutex<[ByteBuffer]>([])
    private var flushScheduled = false
    private var tookReturnedThisTick = false
    /// Spares kept at most (a burst beyond it allocates, as without recycling).
    static let maximumSpares = 1024

    /// - Parameter bufferCapacity: the capacity of a fresh spare (a datagram and its SRTP trailer).
    init(eventLoop: any EventLoop, channel: any Channel, bufferCapacity: Int) {
        self.eventLoop = eventLoop
        self.socketEventLoop = channel.eventLoop
        self.pipeline = channel.pipeline.syncOperations
        self.isSocketLoop = eventLoop === channel.eventLoop
        self.bufferCapacity = bufferCapacity
    }

    /// Queues `datagram` for `address`; it leaves at the end of this loop tick.
    func send(_ datagram: ByteBuffer, to address: SocketAddress) {
        eventLoop.assertInEventLoop()
        let envelope = AddressedEnvelope(remoteAddress: address, data: datagram)
        if isSocketLoop {
            pipeline.write(NIOAny(envelope), promise: nil)
        } else {
            pending.append(envelope)
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute { self.endOfTick() }
    }

    /// Queues `datagram` and leaves a spare buffer in its place: nobody else's, but not cleared
    /// (clear it before writing).
    func send(swapping datagram: inout ByteBuffer, to address: SocketAddress) {
        let outgoing = datagram
        datagram = spare()
        if sentBuffers.count < Self.maximumSpares { sentBuffers.append(outgoing) }
        send(outgoing, to: address)
    }

    private func spare() -> ByteBuffer {
        if spares.isEmpty, !tookReturnedThisTick {
            tookReturnedThisTick = true  // one lock per tick at most, not one per packet
            spares = returned.withLock { buffers in
                defer { buffers = [] }
                return buffers
            }
        }
        return spares.popLast() ?? ByteBufferAllocator().buffer(capacity: bufferCapacity)
    }

    private func endOfTick() {
        flushScheduled = false
        tookReturnedThisTick = false
        if isSocketLoop {
            pipeline.flush()
            // Written, so ours alone once `sentBuffers` lets go (unless the socket was full:
            // then a spare's first write copies it).
            spares.append(contentsOf: sentBuffers.prefix(Self.maximumSpares - spares.count))
            sentBuffers.removeAll(keepingCapacity: true)
            return
        }
        let batch = pending
        let buffers = sentBuffers
        pending.removeAll(keepingCapacity: true)
        sentBuffers.removeAll(keepingCapacity: true)
        socketEventLoop.execute {
            for envelope in batch { self.pipeline.write(NIOAny(envelope), promise: nil) }
            self.pipeline.flush()
            self.returned.withLock { returned in
                returned.append(contentsOf: buffers.prefix(Self.maximumSpares - returned.count))
            }
        }
    }
}

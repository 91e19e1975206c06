import NIOCore
import NIOPosix
@testable import StreamLySFU
import Testing

/// The media socket's per-loop outbox: one flush per tick, from the socket's loop and from
/// another loop, and the forwarding path's recycled buffers.
struct DatagramOutboxTests {
    /// A tick's datagrams all arrive, in order, with the bytes that were sent, although the
    /// sender wrote into the buffer it got back at once (as a forwarding consumer does).
    @Test(arguments: [true, false])
    func aTicksDatagramsArriveInOrderWithTheirOwnBytes(onTheSocketLoop: Bool) async throws {
        try await withOutbox(onTheSocketLoop: onTheSocketLoop) { outbox, receiver in
            let count = 40
            try await outbox.eventLoop.submit {
                var buffer = ByteBuffer()
                for index in 0..<count {
                    buffer.clear()
                    buffer.writeBytes(Array(repeating: UInt8(index), count: 100 + index))
                    outbox.send(swapping: &buffer, to: receiver.address)
                    buffer.clear()
                    buffer.writeBytes(Array(repeating: 0xEE, count: 300))  // must not reach the datagram
                }
            }.get()
            for index in 0..<count {
                let datagram = try await receiver.next()
                #expect(Array(datagram.data.readableBytesView) == Array(repeating: UInt8(index), count: 100 + index))
            }
        }
    }

    /// Once a tick's datagrams are written, the next swaps hand out their storage again instead
    /// of allocating.
    @Test(arguments: [true, false])
    func sentBuffersComeBackAsSpares(onTheSocketLoop: Bool) async throws {
        try await withOutbox(onTheSocketLoop: onTheSocketLoop) { outbox, receiver in
            let count = 8
            let sent = try await outbox.eventLoop.submit {
                var buffer = ByteBuffer()
                var storages: Set<UInt> = []
                for index in 0..<count {
                    buffer.clear()
                    buffer.writeBytes(Array(repeating: UInt8(index), count: 1200))
                    storages.insert(Self.storage(of: buffer))
                    outbox.send(swapping: &buffer, to: receiver.address)
                }
                return storages
            }.get()
            for _ in 0..<count { _ = try await receiver.next() }
            // The socket's loop gives buffers back after the flush that sent them.
            try await outbox.socketEventLoop.submit {}.get()
            try await outbox.eventLoop.submit {}.get()
            let reused = try await outbox.eventLoop.submit {
                var buffer = ByteBuffer()
                var storages: Set<UInt> = []
                for _ in 0..<count {
                    buffer.clear()
                    buffer.writeBytes(Array(repeating: 1, count: 1200))
                    storages.insert(Self.storage(of: buffer))
                    outbox.send(swapping: &buffer, to: receiver.address)
                }
                return storages
            }.get()
            #expect(sent.count == count)
            // The first of the second round is the caller's own leftover spare; the rest are
            // the first round's buffers.
            #expect(reused.intersection(sent).count >= count - 1)
        }
    }

    private static func storage(of buffer: ByteBuffer) -> UInt {
        buffer.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
    }

    private func withOutbox(
        onTheSocketLoop: Bool, _ body: (DatagramOutbox, UDPTestSocket) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let socketLoop = group.next()
        let otherLoop = group.next()
        let channel = try await DatagramBootstrap(group: socketLoop).bind(host: "127.0.0.1", port: 0).get()
        let receiver = try await UDPTestSocket(group: group)
        let outbox = DatagramOutbox(eventLoop: onTheSocketLoop ? socketLoop : otherLoop, channel: channel,
                                    bufferCapacity: 1500)
        do {
            try await body(outbox, receiver)
        } catch {
            await receiver.close()
            try? await channel.close()
            try? await group.shutdownGracefully()
            throw error
        }
        await receiver.close()
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

import NIOCore

/// The packets recently sent on one outgoing stream, kept to answer a subscriber's NACKs
/// (RFC 4585 §6.2.1). A ring of `capacity` slots indexed by the (rewritten) sequence number;
/// every slot owns a buffer allocated once and reused, so storing a packet copies its bytes
/// and allocates nothing. A packet older than `maxAge`, or resent less than `minResendInterval`
/// ago, is not resent (mediasoup keeps 2 s of video and 1 s of audio and skips a packet resent
/// within one RTT; LiveKit ignores repeats within 100 ms).
public struct RetransmissionCache: Sendable {
    private struct Slot: Sendable {
        var buffer: ByteBuffer
        var sequenceNumber: UInt16 = 0
        var stored: UInt64 = 0
        var lastResent: UInt64 = 0
        var occupied = false
    }

    public let capacity: Int
    public let maxAge: UInt64
    public let minResendInterval: UInt64
    private var slots: [Slot]
    private let mask: Int

    /// `capacity` is rounded up to a power of two; `maxPacketBytes` sizes each slot's buffer.
    public init(capacity: Int = 1024, maxAge: UInt64 = 2_000_000_000, minResendInterval: UInt64 = 100_000_000,
                maxPacketBytes: Int = 1500, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var size = 1
        while size < max(1, capacity) { size <<= 1 }
        self.capacity = size
        self.mask = size - 1
        self.maxAge = maxAge
        self.minResendInterval = minResendInterval
        self.slots = (0..<size).map { _ in Slot(buffer: allocator.buffer(capacity: maxPacketBytes)) }
    }

    /// Keeps a copy of `packet` (the plaintext RTP packet as sent, its sequence number `sequenceNumber`).
    public mutating func store(_ packet: ByteBuffer, sequenceNumber: UInt16, now: UInt64) {
        let index = Int(sequenceNumber) & mask
        slots[index].buffer.clear()
        slots[index].buffer.writeImmutableBuffer(packet)
        slots[index].sequenceNumber = sequenceNumber
        slots[index].stored = now
        slots[index].lastResent = 0
        slots[index].occupied = true
    }

    /// Copies the packet with `sequenceNumber` into `out` (cleared first) if it may be resent
    /// now, and records the resend; false when unknown, expired or resent too recently.
    public mutating func retrieve(_ sequenceNumber: UInt16, now: UInt64, into out: inout ByteBuffer) -> Bool {
        let index = Int(sequenceNumber) & mask
        guard slots[index].occupied, slots[index].sequenceNumber == sequenceNumber,
              now &- slots[index].stored <= maxAge,
              slots[index].lastResent == 0 || now &- slots[index].lastResent >= minResendInterval
        else { return false }
        slots[index].lastResent = now
        out.clear()
        out.writeImmutableBuffer(slots[index].buffer)
        return true
    }

    /// Forgets everything (e.g. when the stream's SSRC changes).
    public mutating func reset() {
        for index in slots.indices { slots[index].occupied = false }
    }
}

import NIOCore

/// The packets recently sent on one outgoing stream, kept to answer a subscriber's NACKs
/// (RFC 4585 §6.2.1). A ring of slots indexed by the (rewritten) sequence number; a slot's
/// buffer is allocated on its first use and reused after, so storing a packet copies its bytes
/// and, once warm, allocates nothing. A packet older than `maxAge`, or resent less than
/// `minResendInterval` ago, is not resent (mediasoup keeps 2 s of video and 1 s of audio and
/// skips a packet resent within one RTT; LiveKit ignores repeats within 100 ms).
///
/// The ring starts small and doubles, up to `capacity`, only when a packet would overwrite one
/// younger than `maxAge`: it holds `maxAge` of the stream's own packet rate, so a 150 kbit/s
/// layer keeps ~64 buffers where a fixed ring kept 1024 (RSS per subscriber).
public struct RetransmissionCache: Hashable, Sendable {
    private struct Slot: Hashable, Sendable {
        var buffer = ByteBuffer()
        var sequenceNumber: UInt16 = 0
        var stored: UInt64 = 0
        var lastResent: UInt64 = 0
        var occupied = false
    }

    /// The most slots the ring may grow to.
    public let capacity: Int
    public let maxAge: UInt64
    public let minResendInterval: UInt64
    private let maxPacketBytes: Int
    private var slots: [Slot]
    private var mask: Int

    /// Slots the ring has now (grows up to `capacity`).
    public var slotCount: Int { slots.count }
    /// Slots whose buffer has been allocated.
    public var allocatedSlots: Int { slots.reduce(0) { $0 + ($1.buffer.capacity > 0 ? 1 : 0) } }

    /// `capacity` and `initialCapacity` are rounded up to powers of two; `maxPacketBytes` sizes
    /// each slot's buffer.
    public init(capacity: Int = 1024, maxAge: UInt64 = 2_000_000_000, minResendInterval: UInt64 = 100_000_000,
                maxPacketBytes: Int = 1500, initialCapacity: Int = 64) {
        self.capacity = Self.powerOfTwo(atLeast: capacity)
        let initial = min(self.capacity, Self.powerOfTwo(atLeast: initialCapacity))
        self.mask = initial - 1
        self.maxAge = maxAge
        self.minResendInterval = minResendInterval
        self.maxPacketBytes = maxPacketBytes
        self.slots = Array(repeating: Slot(), count: initial)
    }

    /// Keeps a copy of `packet` (the plaintext RTP packet as sent, its sequence number `sequenceNumber`).
    public mutating func store(_ packet: ByteBuffer, sequenceNumber: UInt16, now: UInt64) {
        var index = Int(sequenceNumber) & mask
        if slots[index].occupied, slots[index].sequenceNumber != sequenceNumber,
           now &- slots[index].stored < maxAge, slots.count < capacity {
            grow()
            index = Int(sequenceNumber) & mask
        }
        if slots[index].buffer.capacity == 0 {
            slots[index].buffer.reserveCapacity(max(maxPacketBytes, packet.readableBytes))
        }
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

    /// The sequence numbers from `first` through `last` it holds no packet for (the stream
    /// skipped them: lost before this hop), oldest first; only the newest `slotCount` are looked at.
    public func unsent(from first: UInt16, through last: UInt16) -> [UInt16] {
        let span = min(Int(last &- first) + 1, slots.count)
        var missing: [UInt16] = []
        for age in stride(from: span - 1, through: 0, by: -1) {
            let sequence = last &- UInt16(age)
            let slot = slots[Int(sequence) & mask]
            if !slot.occupied || slot.sequenceNumber != sequence { missing.append(sequence) }
        }
        return missing
    }

    /// Forgets everything (e.g. when the stream's SSRC changes).
    public mutating func reset() {
        for index in slots.indices { slots[index].occupied = false }
    }

    /// Doubles the ring: every slot moves to its index under the new mask (a slot's low bits
    /// stay, so each old slot maps to one of two new ones and none collide), buffers move with
    /// their packets and the new slots start unallocated.
    private mutating func grow() {
        let size = slots.count * 2
        var grown = Array(repeating: Slot(), count: size)
        for slot in slots where slot.occupied { grown[Int(slot.sequenceNumber) & (size - 1)] = slot }
        // Spare buffers of slots that held nothing (or moved) are reused for empty new slots.
        var spare = slots.filter { !$0.occupied && $0.buffer.capacity > 0 }.map(\.buffer)
        for index in grown.indices where !grown[index].occupied && grown[index].buffer.capacity == 0 {
            guard let buffer = spare.popLast() else { break }
            grown[index].buffer = buffer
        }
        slots = grown
        mask = size - 1
    }

    private static func powerOfTwo(atLeast value: Int) -> Int {
        var size = 1
        while size < max(1, value) { size <<= 1 }
        return size
    }
}

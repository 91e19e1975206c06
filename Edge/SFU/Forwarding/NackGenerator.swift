/// Loss detection on one incoming (publisher) stream, for NACKs upstream (RFC 4585 §6.2.1):
/// a gap in sequence numbers puts the missing numbers on a bounded list; `due(now:)` returns
/// those to ask for now (each at most `maxRetries` times, `retryInterval` apart) and a packet
/// that arrives late or retransmitted leaves the list (mediasoup `NackGenerator`: 40 ms, 10
/// retries). The list is a fixed array: nothing is allocated per packet.
public struct NackGenerator: Sendable {
    private struct Entry: Sendable {
        var sequenceNumber: UInt16
        var retries: UInt8
        var lastSent: UInt64
    }

    public let maxEntries: Int
    public let maxRetries: UInt8
    public let retryInterval: UInt64
    /// A gap larger than this is a restart or a jump, not loss: the list is cleared.
    public let maxGap: UInt16
    private var entries: [Entry]
    private var count = 0
    private var highest: UInt16 = 0
    private var started = false

    public init(maxEntries: Int = 256, maxRetries: UInt8 = 10, retryInterval: UInt64 = 40_000_000, maxGap: UInt16 = 1000) {
        self.maxEntries = maxEntries
        self.maxRetries = maxRetries
        self.retryInterval = retryInterval
        self.maxGap = maxGap
        self.entries = Array(repeating: Entry(sequenceNumber: 0, retries: 0, lastSent: 0), count: maxEntries)
    }

    /// Sequence numbers currently missing.
    public var missingCount: Int { count }

    /// Records a received packet; returns true if it was on the missing list (a recovery).
    @discardableResult
    public mutating func received(_ sequenceNumber: UInt16) -> Bool {
        guard started else {
            started = true
            highest = sequenceNumber
            return false
        }
        if rtpSequence(sequenceNumber, isNewerThan: highest) {
            let gap = sequenceNumber &- highest
            if gap > maxGap {
                count = 0
            } else {
                var missing = highest &+ 1
                while missing != sequenceNumber {
                    append(missing)
                    missing = missing &+ 1
                }
            }
            highest = sequenceNumber
            return false
        }
        return remove(sequenceNumber)
    }

    /// The sequence numbers to NACK now, written into `out` (cleared first); entries past
    /// their retries are dropped.
    public mutating func due(now: UInt64, into out: inout [UInt16]) {
        out.removeAll(keepingCapacity: true)
        var write = 0
        for read in 0..<count {
            var entry = entries[read]
            if entry.retries == 0 || now &- entry.lastSent >= retryInterval {
                if entry.retries >= maxRetries { continue }
                entry.retries += 1
                entry.lastSent = now
                out.append(entry.sequenceNumber)
            }
            entries[write] = entry
            write += 1
        }
        count = write
    }

    private mutating func append(_ sequenceNumber: UInt16) {
        if count == maxEntries {
            // Full: the oldest entry gives way.
            for index in 1..<count { entries[index - 1] = entries[index] }
            count -= 1
        }
        entries[count] = Entry(sequenceNumber: sequenceNumber, retries: 0, lastSent: 0)
        count += 1
    }

    private mutating func remove(_ sequenceNumber: UInt16) -> Bool {
        for index in 0..<count where entries[index].sequenceNumber == sequenceNumber {
            for next in (index + 1)..<count { entries[next - 1] = entries[next] }
            count -= 1
            return true
        }
        return false
    }
}

import NIOCore

/// The receive side of transport-wide congestion control
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3): records when each packet with a
/// transport-wide sequence number arrived on a publisher's connection and writes the feedback
/// its sender's bandwidth estimator needs (Chromium starves its encoder when transport-cc is
/// negotiated and no feedback comes: SFU-NOTES §9). Arrivals are kept in a fixed ring
/// (`capacity` sequence numbers, no allocation per packet); a feedback covers the packets since
/// the last one, at most `maximumPacketsPerFeedback` (the rest go in the next). Pure: pass `now`.
public struct TransportFeedbackGenerator: Sendable {
    public static let capacity = 1024
    public static let maximumPacketsPerFeedback = 400

    /// Arrival time (ns, monotonic) per slot; 0 = not arrived.
    private var arrivals: [UInt64]
    /// Next sequence number to report, and the newest seen.
    private var base: UInt16?
    private var highest: UInt16 = 0
    private var feedbackCount: UInt8 = 0
    private var statuses: [RTCPTransportFeedback.Status] = []
    private var deltas: [Int16] = []

    public init() {
        arrivals = Array(repeating: 0, count: Self.capacity)
        statuses.reserveCapacity(Self.maximumPacketsPerFeedback)
        deltas.reserveCapacity(Self.maximumPacketsPerFeedback)
    }

    /// A packet carrying transport-wide sequence number `sequence` arrived at `now` (ns).
    public mutating func received(_ sequence: UInt16, now: UInt64) {
        guard let current = base else {
            base = sequence
            highest = sequence
            arrivals[Int(sequence) % Self.capacity] = max(now, 1)
            return
        }
        let ahead = Int(sequence &- current)
        guard ahead < 0x8000 else { return }  // older than what was reported: too late
        if ahead >= Self.capacity {
            // Nobody asked for feedback for a whole ring: forget the oldest.
            let newBase = sequence &- UInt16(Self.capacity - 1)
            if Int(newBase &- current) >= Self.capacity {
                for slot in arrivals.indices { arrivals[slot] = 0 }
            } else {
                var drop = current
                while drop != newBase {
                    arrivals[Int(drop) % Self.capacity] = 0
                    drop &+= 1
                }
            }
            base = newBase
        }
        if rtpSequence(sequence, isNewerThan: highest) { highest = sequence }
        arrivals[Int(sequence) % Self.capacity] = max(now, 1)
    }

    /// The feedback for the packets since the last one (nil when none arrived since), sent by
    /// `senderSSRC` about the stream `mediaSSRC`.
    public mutating func feedback(senderSSRC: UInt32, mediaSSRC: UInt32) -> RTCPTransportFeedback? {
        guard let start = base else { return nil }
        let span = Int(highest &- start) + 1
        guard span > 0, span <= Self.capacity else { return nil }
        // The reference time is the first arrival, rounded down to 64 ms.
        var first: UInt64?
        for offset in 0..<min(span, Self.maximumPacketsPerFeedback) {
            let arrival = arrivals[Int(start &+ UInt16(offset)) % Self.capacity]
            if arrival != 0 { first = arrival; break }
        }
        guard let first else { return nil }
        let unit: UInt64 = 64_000_000
        let reference = first / unit
        var previous = Int64(reference * unit)
        statuses.removeAll(keepingCapacity: true)
        deltas.removeAll(keepingCapacity: true)
        var count = 0
        while count < min(span, Self.maximumPacketsPerFeedback) {
            let slot = Int(start &+ UInt16(count)) % Self.capacity
            let arrival = arrivals[slot]
            if arrival == 0 {
                statuses.append(.notReceived)
            } else {
                let delta = (Int64(arrival) - previous) / 250_000
                guard delta >= Int64(Int16.min), delta <= Int64(Int16.max) else { break }  // next feedback
                statuses.append(delta >= 0 && delta <= 255 ? .smallDelta : .largeDelta)
                deltas.append(Int16(delta))
                previous += delta * 250_000
            }
            count += 1
        }
        // Trailing packets not arrived yet wait for the next feedback (they may still come).
        while let last = statuses.last, last == .notReceived, count > 0 {
            statuses.removeLast()
            count -= 1
        }
        guard count > 0 else { return nil }
        for offset in 0..<count { arrivals[Int(start &+ UInt16(offset)) % Self.capacity] = 0 }
        base = start &+ UInt16(count)
        if rtpSequence(base!, isNewerThan: highest) { highest = base! &- 1 }
        var chunks = ByteBuffer()
        RTCPTransportFeedback.encodeChunks(statuses: statuses, deltas: deltas, into: &chunks)
        let referenceTime = Int32(bitPattern: UInt32(truncatingIfNeeded: reference & 0xFF_FFFF) << 8) >> 8
        defer { feedbackCount &+= 1 }
        return RTCPTransportFeedback(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, baseSequenceNumber: start,
                                     packetStatusCount: UInt16(count), referenceTime: referenceTime,
                                     feedbackPacketCount: feedbackCount, chunks: chunks)
    }
}

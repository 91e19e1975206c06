/// The send side of transport-wide congestion control towards one subscriber: numbers every
/// packet sent on its `sub` connection (one transport-wide sequence, all SSRCs, RTX included),
/// remembers when and how big it was (a fixed ring of `capacity`, no allocation per packet),
/// reads the subscriber's transport-cc feedback, and once per interval (`update`, the call's
/// 1 s tick) turns what was reported into a downlink estimate. Pure: pass `now`.
///
/// The estimator (a delivered-rate estimator with GCC's loss and delay back-offs,
/// draft-ietf-rmcat-gcc-02 §5–6, coarse grained):
/// - over the interval, `delivered` = bytes reported received × 8 / the span of their arrival
///   times on the subscriber's clock; `loss` = packets reported lost / packets reported;
///   `queueing` = how much longer that arrival span was than the span of their send times;
/// - loss > 10 %: estimate = delivered × (1 − loss / 2) (GCC's loss controller decrease);
/// - else queueing > 25 % of the send span + 20 ms (a queue grew at the bottleneck):
///   estimate = 0.85 × delivered (GCC's delay-based decrease, β = 0.85);
/// - else loss ≥ 2 %: hold the previous estimate (at most 1.5 × delivered + 10 kbit/s);
/// - else: increase 8 % over the larger of the previous estimate and delivered, at most
///   1.5 × delivered + 10 kbit/s (like a receiver's REMB, it cannot see beyond what it gets).
/// An interval with fewer than 10 reported packets or an arrival span under 50 ms gives no new
/// estimate. As with REMB, the estimate limits layers only after it signalled congestion
/// (`DownlinkLimit`).
public struct SendSideBandwidthEstimator: Sendable {
    public static let capacity = 4096

    /// Per slot: the sequence number it holds, send time (ns, 0 = free), size, and whether a
    /// feedback already reported it lost.
    private var sequences: [UInt16]
    private var sendTimes: [UInt64]
    private var sizes: [UInt16]
    private var reportedLost: [Bool]
    public private(set) var nextSequence: UInt16 = 1
    /// The last estimate, bits/s.
    public private(set) var estimate: UInt64?

    private var receivedBytes: UInt64 = 0
    private var received = 0
    private var lost = 0
    private var firstSend: UInt64 = .max
    private var lastSend: UInt64 = 0
    private var firstArrival: Int64 = .max
    private var lastArrival: Int64 = .min

    public init() {
        sequences = Array(repeating: 0, count: Self.capacity)
        sendTimes = Array(repeating: 0, count: Self.capacity)
        sizes = Array(repeating: 0, count: Self.capacity)
        reportedLost = Array(repeating: false, count: Self.capacity)
    }

    /// A packet of `size` bytes goes out now: its transport-wide sequence number.
    public mutating func packetSent(size: Int, now: UInt64) -> UInt16 {
        let sequence = nextSequence
        nextSequence &+= 1
        let slot = Int(sequence) % Self.capacity
        sequences[slot] = sequence
        sendTimes[slot] = max(now, 1)
        sizes[slot] = UInt16(clamping: size)
        reportedLost[slot] = false
        return sequence
    }

    /// The subscriber's feedback: accounts every packet it reports that this side still knows.
    public mutating func feedbackReceived(_ feedback: RTCPTransportFeedback) {
        feedback.forEachPacket { sequence, arrival in
            let slot = Int(sequence) % Self.capacity
            guard sequences[slot] == sequence, sendTimes[slot] != 0 else { return }
            guard let arrival else {
                if !reportedLost[slot] {
                    reportedLost[slot] = true
                    lost += 1
                }
                return
            }
            if reportedLost[slot] { lost = max(0, lost - 1) }  // late, reported again as received
            let sent = sendTimes[slot]
            receivedBytes += UInt64(sizes[slot])
            received += 1
            firstSend = min(firstSend, sent)
            lastSend = max(lastSend, sent)
            firstArrival = min(firstArrival, arrival)
            lastArrival = max(lastArrival, arrival)
            sendTimes[slot] = 0
            reportedLost[slot] = false
        }
    }

    /// Closes the interval: the new estimate (bits/s), or nil when too little was reported.
    public mutating func update() -> UInt64? {
        defer { resetInterval() }
        guard received >= 10 else { return nil }  // (before: with none, the spans are .min − .max)
        let arrivalSpan = lastArrival - firstArrival  // µs
        guard arrivalSpan >= 50_000 else { return nil }
        let sendSpan = Int64((lastSend - firstSend) / 1000)  // µs
        let delivered = receivedBytes * 8 * 1_000_000 / UInt64(arrivalSpan)
        let loss = Double(lost) / Double(lost + received)
        let ceiling = delivered + delivered / 2 + 10_000
        let next: UInt64
        if loss > 0.10 {
            next = UInt64(Double(delivered) * (1 - loss / 2))
        } else if arrivalSpan - sendSpan > sendSpan / 4 + 20_000 {
            next = delivered * 85 / 100
        } else if loss >= 0.02 {
            next = min(estimate ?? delivered, ceiling)
        } else {
            next = min(max(estimate ?? 0, delivered) * 108 / 100, ceiling)
        }
        estimate = next
        return next
    }

    private mutating func resetInterval() {
        receivedBytes = 0
        received = 0
        lost = 0
        firstSend = .max
        lastSend = 0
        firstArrival = .max
        lastArrival = .min
    }
}

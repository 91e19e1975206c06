/// One FCI entry of a generic NACK (RFC 4585 §6.2.1): a lost packet id (PID) and a bitmask of
/// the 16 following sequence numbers also lost (BLP, bit i ⇒ PID + i + 1).
public struct RTCPNackItem: Hashable, Sendable {
    public var packetID: UInt16
    public var lostBitmask: UInt16

    public init(packetID: UInt16, lostBitmask: UInt16 = 0) {
        self.packetID = packetID
        self.lostBitmask = lostBitmask
    }

    /// Every sequence number this entry reports lost, in order (wrapping past 65535).
    public var lostSequenceNumbers: [UInt16] {
        [packetID] + (0..<16).compactMap { bit in
            lostBitmask & (1 << bit) != 0 ? packetID &+ UInt16(bit + 1) : nil
        }
    }

    /// The fewest entries that report `sequenceNumbers` (taken in the order given; each
    /// entry starts at the first number not yet covered and takes the next 16 in its mask).
    public static func items(for sequenceNumbers: some Sequence<UInt16>) -> [RTCPNackItem] {
        var items: [RTCPNackItem] = []
        for number in sequenceNumbers {
            if var last = items.last {
                let distance = number &- last.packetID
                if distance == 0 { continue }
                if distance <= 16 {
                    last.lostBitmask |= 1 << (distance - 1)
                    items[items.count - 1] = last
                    continue
                }
            }
            items.append(RTCPNackItem(packetID: number))
        }
        return items
    }
}

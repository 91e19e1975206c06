/// The last input numbers (sequence numbers or VP8 picture ids) a forwarder dropped on purpose
/// (temporal-layer filtering), so a late packet older than some of them (reordered, or resent
/// after a NACK) gets the offset that was in force before those drops. Fixed storage: no
/// allocation. `modulus` is the numbers' range (65 536 for sequence numbers, 128 or 32 768
/// for picture ids).
struct DropHistory: Sendable {
    static let capacity = 32
    private var items = InlineArray<32, UInt16>(repeating: 0)
    private var count = 0
    private var next = 0

    mutating func record(_ value: UInt16) {
        items[next] = value
        next = (next + 1) % Self.capacity
        count = min(count + 1, Self.capacity)
    }

    mutating func removeAll() {
        count = 0
        next = 0
    }

    /// The newest value recorded, if any.
    var newest: UInt16? { count == 0 ? nil : items[(next + Self.capacity - 1) % Self.capacity] }

    /// How many recorded values are newer than `value` (in serial-number order within `mask`).
    func countNewer(than value: UInt16, mask: UInt16) -> UInt16 {
        var result: UInt16 = 0
        for index in 0..<count {
            let distance = (items[index] &- value) & mask
            if distance != 0, distance <= mask / 2 { result += 1 }
        }
        return result
    }
}

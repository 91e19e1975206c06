/// Deterministic input mutation for the robustness tests: the same seed gives the same
/// sequence, so a failure reproduces. SplitMix64 generator (public-domain algorithm).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates byte arrays the way a fuzzer would: flips, random bytes, truncation, duplication,
/// insertion of interesting values.
struct Mutator {
    var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...4, using: &generator)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<7, using: &generator) {
            case 0 where !bytes.isEmpty:
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1 where !bytes.isEmpty:
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: .min ... .max, using: &generator)
            case 2 where !bytes.isEmpty:
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &generator))
            case 3:
                let index = Int.random(in: 0...bytes.count, using: &generator)
                let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x3A, 0x0D, 0x0A, 0x20]
                bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &generator)], at: index)
            case 4 where bytes.count > 1:
                let from = Int.random(in: 0..<bytes.count, using: &generator)
                let length = Int.random(in: 1...min(16, bytes.count - from), using: &generator)
                let to = Int.random(in: 0...bytes.count, using: &generator)
                bytes.insert(contentsOf: bytes[from..<from + length], at: to)
            case 5 where bytes.count > 1:
                let from = Int.random(in: 0..<bytes.count, using: &generator)
                let length = Int.random(in: 1...min(16, bytes.count - from), using: &generator)
                bytes.removeSubrange(from..<from + length)
            default:
                if bytes.count >= 2 {
                    // Big-endian length-like fields: set two bytes to an extreme.
                    let index = Int.random(in: 0..<(bytes.count - 1), using: &generator)
                    let value = [UInt16(0), 0xFFFF, 0x8000, 0x0004][Int.random(in: 0..<4, using: &generator)]
                    bytes[index] = UInt8(value >> 8)
                    bytes[index + 1] = UInt8(truncatingIfNeeded: value)
                }
            }
        }
        return bytes
    }

    /// Up to 64 random bytes.
    mutating func randomBytes() -> [UInt8] {
        (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

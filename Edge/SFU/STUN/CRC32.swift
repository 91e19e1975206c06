/// CRC-32 as ISO 3309 / ITU-T V.42 define it (reflected polynomial `0xEDB88320`, initial and
/// final xor `0xFFFFFFFF`): the checksum STUN's FINGERPRINT uses (RFC 8489 §14.7).
///
/// Table driven; the table is built once.
public enum CRC32 {
    /// The 256-entry lookup table.
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = (value & 1) == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// Continues a running CRC over `bytes`; start with `0` and feed pieces in order.
    public static func update(_ crc: UInt32, with bytes: some Sequence<UInt8>) -> UInt32 {
        var value = ~crc
        for byte in bytes {
            value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
        }
        return ~value
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        update(0, with: bytes)
    }
}

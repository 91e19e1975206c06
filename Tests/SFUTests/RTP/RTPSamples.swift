/// Hand-assembled RTP packets (RFC 3550 §5.1, RFC 8285) used by the RTP tests.
enum RTPSamples {
    /// VP8 (PT 96), marker, seq 0x1234, ts 0xDEADBEEF, SSRC 0x11223344, one-byte extensions
    /// id 1 (1 byte 0xAA) and id 9 (mid "0", 1 byte) then 0xBB 0xCC in id 4 (2 bytes), padding.
    static let oneByteExtension = hexBytes("""
        90 e0 12 34 de ad be ef 11 22 33 44
        be de 00 02 10 aa 90 30 41 bb cc 00
        90 e0 00 01
        """)

    /// Opus (PT 111), two CSRCs, two-byte extensions id 1 (2 bytes) and id 3 (empty), 4 bytes
    /// of padding.
    static let twoByteExtensionCSRCPadding = hexBytes("""
        b2 6f 00 02 00 00 03 c0 aa bb cc dd
        00 00 00 01 00 00 00 02
        10 00 00 02 01 02 aa bb 03 00 00 00
        fc ff fe 00 00 00 04
        """)

    /// Minimal: no extension, no padding, payload 3 bytes.
    static let plain = hexBytes("80 08 ff ff 00 00 00 01 00 00 00 02 01 02 03")
}

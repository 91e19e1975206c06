/// Hand-assembled RTCP packets (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3, REMB draft).
enum RTCPSamples {
    /// SR (SSRC 0x11111111, NTP 0x0000000100008000, RTP 90000, 10 packets, 1000 octets, one
    /// report block on 0x22222222), then SDES (one chunk, CNAME "ab"), then a padded RR
    /// (0x33333333, no blocks, 4 bytes padding).
    static let compound = hexBytes("""
        81 c8 00 0c 11 11 11 11 00 00 00 01 00 00 80 00 00 01 5f 90 00 00 00 0a 00 00 03 e8
        22 22 22 22 10 ff ff fe 00 01 00 64 00 00 00 20 12 34 56 78 00 00 10 00
        81 ca 00 02 11 11 11 11 01 02 61 62
        a0 c9 00 02 33 33 33 33 00 00 00 04
        """)

    static let pli = hexBytes("81 ce 00 02 11 11 11 11 22 22 22 22")
    static let nack = hexBytes("81 cd 00 03 11 11 11 11 22 22 22 22 00 64 00 05")
    static let fir = hexBytes("84 ce 00 04 11 11 11 11 00 00 00 00 22 22 22 22 07 00 00 00")
    /// REMB 1 000 000 bit/s (exp 2, mantissa 250 000) for 0x22222222.
    static let remb = hexBytes("8f ce 00 05 11 11 11 11 00 00 00 00 52 45 4d 42 01 0b d0 90 22 22 22 22")
    /// transport-cc: base 1, count 2, reference time −1 (0xFFFFFF), feedback count 5, one chunk.
    static let transportCC = hexBytes("8f cd 00 05 11 11 11 11 22 22 22 22 00 01 00 02 ff ff ff 05 20 02 00 00")
    static let bye = hexBytes("82 cb 00 03 11 11 11 11 22 22 22 22 03 62 79 65")
    static let app = hexBytes("80 cc 00 02 11 11 11 11 6e 61 6d 65")
}

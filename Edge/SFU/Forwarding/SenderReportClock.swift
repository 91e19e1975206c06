/// The RTP timestamp a sender report gives for a rewritten outgoing stream (RFC 3550 §6.4.1:
/// the RTP time corresponding to the report's NTP time), mapped through the publisher's own
/// sender report for the layer being forwarded, so the subscriber's audio/video synchronisation
/// follows the publisher's (SFU-NOTES §8):
///
///     rtp_out(ntp) = sr.rtp + (ntp − (sr.ntp + clockOffset)) × clockRate + forwarderOffset
///
/// `clockOffset` (edge NTP − publisher NTP) is one value per publisher, so all its streams shift
/// alike; `forwarderOffset` is what the forwarder adds to the current layer's timestamps (a new
/// one after each layer switch, so the report follows the switch). Pure.
public enum SenderReportClock {
    /// - Parameters:
    ///   - ntp: the report's NTP time on the edge's clock (RFC 5905 64-bit format).
    ///   - senderNTP, senderRTP: the publisher's last SR for the forwarded layer.
    ///   - clockOffset: edge NTP − publisher NTP (64-bit NTP units, wrapping).
    public static func rtpTimestamp(at ntp: UInt64, senderNTP: UInt64, senderRTP: UInt32, clockOffset: UInt64,
                                    clockRate: UInt32, forwarderOffset: UInt32) -> UInt32 {
        let elapsed = Int64(bitPattern: ntp &- (senderNTP &+ clockOffset))  // 2^-32 s units
        // Whole seconds and fraction separately: no overflow for any elapsed time.
        let seconds = elapsed >> 32
        let fraction = elapsed & 0xFFFF_FFFF
        let ticks = seconds &* Int64(clockRate) &+ (fraction &* Int64(clockRate)) >> 32
        return senderRTP &+ UInt32(truncatingIfNeeded: ticks) &+ forwarderOffset
    }

    /// Edge NTP − publisher NTP when a publisher's SR carrying `senderNTP` arrived at edge `ntp`.
    public static func offset(senderNTP: UInt64, arrivedAt ntp: UInt64) -> UInt64 {
        ntp &- senderNTP
    }
}

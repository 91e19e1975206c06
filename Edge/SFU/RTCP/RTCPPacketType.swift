/// The RTCP packet type field (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).
public struct RTCPPacketType: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// SR, sender report (RFC 3550 §6.4.1).
    public static let senderReport = RTCPPacketType(rawValue: 200)
    /// RR, receiver report (RFC 3550 §6.4.2).
    public static let receiverReport = RTCPPacketType(rawValue: 201)
    /// SDES, source description (RFC 3550 §6.5).
    public static let sourceDescription = RTCPPacketType(rawValue: 202)
    /// BYE (RFC 3550 §6.6).
    public static let goodbye = RTCPPacketType(rawValue: 203)
    /// APP (RFC 3550 §6.7).
    public static let application = RTCPPacketType(rawValue: 204)
    /// RTPFB, transport-layer feedback (RFC 4585 §6.2): generic NACK, transport-cc.
    public static let transportFeedback = RTCPPacketType(rawValue: 205)
    /// PSFB, payload-specific feedback (RFC 4585 §6.3): PLI, FIR, REMB.
    public static let payloadFeedback = RTCPPacketType(rawValue: 206)
    /// XR, extended report (RFC 3611).
    public static let extendedReport = RTCPPacketType(rawValue: 207)
}

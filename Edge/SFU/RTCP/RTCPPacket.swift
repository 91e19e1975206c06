import NIOCore

/// One packet of an RTCP compound (RFC 3550 §6.1), decoded as far as the SFU needs.
public enum RTCPPacket: Hashable, Sendable {
    /// SR (RFC 3550 §6.4.1).
    case senderReport(RTCPSenderReport)
    /// RR (RFC 3550 §6.4.2).
    case receiverReport(RTCPReceiverReport)
    /// SDES (RFC 3550 §6.5): recognised and skipped.
    case sourceDescription(RTCPHeader)
    /// BYE (RFC 3550 §6.6).
    case goodbye(RTCPGoodbye)
    /// Generic NACK (RFC 4585 §6.2.1).
    case genericNack(RTCPGenericNack)
    /// PLI (RFC 4585 §6.3.1).
    case pictureLossIndication(RTCPPictureLossIndication)
    /// FIR (RFC 5104 §4.3.1).
    case fullIntraRequest(RTCPFullIntraRequest)
    /// REMB (draft-alvestrand-rmcat-remb §2.2).
    case receiverEstimatedMaxBitrate(RTCPReceiverEstimatedMaxBitrate)
    /// Transport-wide congestion control feedback
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
    case transportFeedback(RTCPTransportFeedback)
    /// Anything else (APP, XR, other feedback formats): header and body (without padding).
    case other(RTCPHeader, body: ByteBuffer)

    /// Decodes one packet's body (after the 4-byte header, padding removed).
    static func decode(header: RTCPHeader, body: ByteBuffer) throws(RTPPacketError) -> RTCPPacket {
        switch (header.packetType, header.count) {
        case (.senderReport, _):
            return .senderReport(try RTCPSenderReport.parse(header: header, body: body))
        case (.receiverReport, _):
            return .receiverReport(try RTCPReceiverReport.parse(header: header, body: body))
        case (.sourceDescription, _):
            return .sourceDescription(header)
        case (.goodbye, _):
            return .goodbye(try RTCPGoodbye.parse(header: header, body: body))
        case (.transportFeedback, RTCPGenericNack.format):
            return .genericNack(try RTCPGenericNack.parse(body: body))
        case (.transportFeedback, RTCPTransportFeedback.format):
            return .transportFeedback(try RTCPTransportFeedback.parse(body: body))
        case (.payloadFeedback, RTCPPictureLossIndication.format):
            return .pictureLossIndication(try RTCPPictureLossIndication.parse(body: body))
        case (.payloadFeedback, RTCPFullIntraRequest.format):
            return .fullIntraRequest(try RTCPFullIntraRequest.parse(body: body))
        case (.payloadFeedback, RTCPReceiverEstimatedMaxBitrate.format)
            where RTCPReceiverEstimatedMaxBitrate.matches(body: body):
            return .receiverEstimatedMaxBitrate(try RTCPReceiverEstimatedMaxBitrate.parse(body: body))
        default:
            return .other(header, body: body)
        }
    }
}

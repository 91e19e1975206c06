import NIOCore

/// The fixed part of a transport-wide congestion control feedback packet
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): RTPFB (PT 205), FMT 15.
/// Only this header is parsed for now; the packet status chunks and receive deltas that
/// follow are kept undecoded in `chunks`.
public struct RTCPTransportFeedbackHeader: Hashable, Sendable {
    /// FMT value of transport-wide feedback.
    public static let format: UInt8 = 15

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// Transport-wide sequence number of the first packet reported.
    public var baseSequenceNumber: UInt16
    /// Number of packets reported.
    public var packetStatusCount: UInt16
    /// 24-bit signed reference time in multiples of 64 ms.
    public var referenceTime: Int32
    /// Feedback packet counter (8 bits, wraps).
    public var feedbackPacketCount: UInt8
    /// Status chunks and receive deltas, undecoded.
    public var chunks: ByteBuffer

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPTransportFeedbackHeader {
        let at = body.readerIndex
        guard let sender = body.getInteger(at: at, as: UInt32.self),
              let media = body.getInteger(at: at + 4, as: UInt32.self),
              let base = body.getInteger(at: at + 8, as: UInt16.self),
              let count = body.getInteger(at: at + 10, as: UInt16.self),
              let word = body.getInteger(at: at + 12, as: UInt32.self),
              let chunks = body.getSlice(at: at + 16, length: body.readableBytes - 16)
        else { throw RTPPacketError(.badBody, "transport-cc feedback needs 16 bytes") }
        return RTCPTransportFeedbackHeader(senderSSRC: sender, mediaSSRC: media, baseSequenceNumber: base,
                                           packetStatusCount: count,
                                           referenceTime: Int32(bitPattern: word) >> 8,
                                           feedbackPacketCount: UInt8(truncatingIfNeeded: word), chunks: chunks)
    }
}

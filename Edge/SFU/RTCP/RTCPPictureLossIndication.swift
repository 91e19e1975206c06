import NIOCore

/// PLI (RFC 4585 §6.3.1): PSFB (PT 206) with FMT 1 and no FCI: "send a keyframe".
public struct RTCPPictureLossIndication: Hashable, Sendable, RTCPWritable {
    /// FMT value of a PLI.
    public static let format: UInt8 = 1

    public var senderSSRC: UInt32
    /// The stream that should send a keyframe.
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPPictureLossIndication {
        guard let sender = body.getInteger(at: body.readerIndex, as: UInt32.self),
              let media = body.getInteger(at: body.readerIndex + 4, as: UInt32.self)
        else { throw RTPPacketError(.badBody, "PLI needs 8 bytes of SSRCs") }
        return RTCPPictureLossIndication(senderSSRC: sender, mediaSSRC: media)
    }

    public func write(to buffer: inout ByteBuffer) {
        RTCPHeader.write(count: Self.format, type: .payloadFeedback, bodyLength: 8, to: &buffer)
        buffer.writeInteger(senderSSRC)
        buffer.writeInteger(mediaSSRC)
    }
}

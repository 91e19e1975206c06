import NIOCore

/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2), with the
/// offsets of the fields a forwarder rewrites in place (picture id, TL0PICIDX).
///
///     X|R|N|S|R| PID     I|L|T|K| RSV     M| PictureID(7 or 15)   TL0PICIDX   TID|Y| KEYIDX
public struct VP8PayloadDescriptor: Hashable, Sendable {
    /// Start of a VP8 partition.
    public var startOfPartition: Bool
    /// Partition index (0 for the first partition of a frame).
    public var partitionID: UInt8
    /// The picture id, if present, and whether it is the 15-bit (M=1) form.
    public var pictureID: UInt16?
    public var pictureIDIs15Bit: Bool
    /// Offset of the picture id's first byte in the payload.
    public var pictureIDOffset: Int
    public var tl0PicIdx: UInt8?
    public var tl0PicIdxOffset: Int
    /// Temporal layer id and layer-sync bit (T present).
    public var temporalLayer: UInt8?
    public var layerSync: Bool
    /// Length of the descriptor: the VP8 payload header starts here.
    public var length: Int

    /// Parses the descriptor at the start of `payload` (the RTP payload); nil when truncated.
    public static func parse(_ payload: ByteBuffer) -> VP8PayloadDescriptor? {
        let base = payload.readerIndex
        let count = payload.readableBytes
        func byte(_ offset: Int) -> UInt8? {
            offset < count ? payload.getInteger(at: base + offset, as: UInt8.self) : nil
        }
        guard let first = byte(0) else { return nil }
        var descriptor = VP8PayloadDescriptor(startOfPartition: first & 0x10 != 0, partitionID: first & 0x07,
                                              pictureID: nil, pictureIDIs15Bit: false, pictureIDOffset: 0,
                                              tl0PicIdx: nil, tl0PicIdxOffset: 0, temporalLayer: nil,
                                              layerSync: false, length: 1)
        guard first & 0x80 != 0 else { return descriptor }
        guard let extended = byte(1) else { return nil }
        var offset = 2
        if extended & 0x80 != 0 {
            guard let high = byte(offset) else { return nil }
            descriptor.pictureIDOffset = offset
            if high & 0x80 != 0 {
                guard let low = byte(offset + 1) else { return nil }
                descriptor.pictureID = UInt16(high & 0x7F) << 8 | UInt16(low)
                descriptor.pictureIDIs15Bit = true
                offset += 2
            } else {
                descriptor.pictureID = UInt16(high)
                offset += 1
            }
        }
        if extended & 0x40 != 0 {
            guard let tl0 = byte(offset) else { return nil }
            descriptor.tl0PicIdx = tl0
            descriptor.tl0PicIdxOffset = offset
            offset += 1
        }
        if extended & 0x30 != 0 {
            guard let tidByte = byte(offset) else { return nil }
            if extended & 0x20 != 0 {
                descriptor.temporalLayer = tidByte >> 6
                descriptor.layerSync = tidByte & 0x20 != 0
            }
            offset += 1
        }
        descriptor.length = offset
        return descriptor
    }

    /// A keyframe starts here: first packet of partition 0 and the VP8 payload header's P bit
    /// (inverse key frame flag) is 0 (RFC 7741 §4.3).
    public func isKeyframeStart(in payload: ByteBuffer) -> Bool {
        guard startOfPartition, partitionID == 0, length < payload.readableBytes,
              let header = payload.getInteger(at: payload.readerIndex + length, as: UInt8.self)
        else { return false }
        return header & 0x01 == 0
    }

    /// The mask of the picture id's width (7 or 15 bits).
    public var pictureIDMask: UInt16 { pictureIDIs15Bit ? 0x7FFF : 0x7F }

    /// Writes `pictureID` and `tl0PicIdx` into `buffer`, whose payload starts at `payloadOffset`
    /// (absolute index), keeping the width this descriptor had.
    public func rewrite(_ buffer: inout ByteBuffer, payloadOffset: Int, pictureID: UInt16?, tl0PicIdx: UInt8?) {
        if let pictureID, self.pictureID != nil {
            if pictureIDIs15Bit {
                buffer.setInteger(0x8000 | (pictureID & 0x7FFF), at: payloadOffset + pictureIDOffset)
            } else {
                buffer.setInteger(UInt8(pictureID & 0x7F), at: payloadOffset + pictureIDOffset)
            }
        }
        if let tl0PicIdx, self.tl0PicIdx != nil {
            buffer.setInteger(tl0PicIdx, at: payloadOffset + tl0PicIdxOffset)
        }
    }
}

import NIOCore

/// An RTP packet (RFC 3550 §5.1) as a validated view over the buffer it arrived in.
///
/// Fields are read from the bytes on demand and written back in place (`RTPPacket+Rewrite`),
/// so forwarding a packet copies nothing: parse, rewrite sequence number, timestamp and SSRC,
/// send the same buffer. `parse` is total: any input gives a packet or an `RTPPacketError`.
///
/// ```
///  0                   1                   2                   3
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers             | × CC
/// |   profile (0xBEDE / 0x100X)   |    extension length (words)   | if X
/// |                  header extension elements                    |
/// |                           payload  ...  | padding | pad count | if P
/// ```
public struct RTPPacket: Hashable, Sendable {
    /// The packet: readable bytes are exactly the packet.
    public internal(set) var buffer: ByteBuffer
    /// Bytes before the payload: 12 + 4·CC (+ 4 + extension length if X).
    public let headerLength: Int
    /// Padding bytes at the end, including the count byte (0 when P is clear).
    public let paddingLength: Int
    /// The extension profile (`0xBEDE` one-byte, `0x100X` two-byte, RFC 8285 §4.2–4.3), or nil.
    public let extensionProfile: UInt16?
    /// Offset of the extension elements from the packet start, and their length in bytes.
    let extensionRange: Range<Int>

    /// Fixed header length (RFC 3550 §5.1).
    public static let fixedHeaderLength = 12

    /// Validates `buffer`'s readable bytes as one RTP packet.
    public static func parse(_ buffer: ByteBuffer) throws(RTPPacketError) -> RTPPacket {
        let start = buffer.readerIndex
        let total = buffer.readableBytes
        guard total >= fixedHeaderLength, let first = buffer.getInteger(at: start, as: UInt8.self) else {
            throw RTPPacketError(.truncated, "\(total) bytes, the fixed header needs 12")
        }
        guard first >> 6 == 2 else { throw RTPPacketError(.badVersion, "version \(first >> 6)") }
        var header = fixedHeaderLength + 4 * Int(first & 0x0F)
        guard header <= total else { throw RTPPacketError(.truncated, "CSRC list needs \(header) bytes, \(total) present") }

        var profile: UInt16?
        var extensionRange = header..<header
        if first & 0x10 != 0 {
            guard header + 4 <= total,
                  let extensionProfile = buffer.getInteger(at: start + header, as: UInt16.self),
                  let words = buffer.getInteger(at: start + header + 2, as: UInt16.self)
            else { throw RTPPacketError(.truncated, "extension header at \(header)") }
            let elementsStart = header + 4
            header = elementsStart + 4 * Int(words)
            guard header <= total else {
                throw RTPPacketError(.truncated, "extension needs \(header) bytes, \(total) present")
            }
            profile = extensionProfile
            extensionRange = elementsStart..<header
        }

        var padding = 0
        if first & 0x20 != 0 {
            guard let count = buffer.getInteger(at: start + total - 1, as: UInt8.self), count > 0,
                  Int(count) <= total - header
            else { throw RTPPacketError(.badPadding, "padding count does not fit \(total - header) bytes after the header") }
            padding = Int(count)
        }
        return RTPPacket(buffer: buffer, headerLength: header, paddingLength: padding, extensionProfile: profile,
                         extensionRange: extensionRange)
    }

    /// Version (always 2 after `parse`).
    public var version: UInt8 { byte(0) >> 6 }
    /// P: the packet ends with padding.
    public var hasPadding: Bool { byte(0) & 0x20 != 0 }
    /// X: a header extension follows the CSRCs.
    public var hasExtension: Bool { byte(0) & 0x10 != 0 }
    /// CC: number of CSRCs.
    public var csrcCount: Int { Int(byte(0) & 0x0F) }
    /// M: marker bit (end of a video frame).
    public var marker: Bool { byte(1) & 0x80 != 0 }
    /// PT: 7-bit payload type.
    public var payloadType: UInt8 { byte(1) & 0x7F }
    /// Sequence number.
    public var sequenceNumber: UInt16 { buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) ?? 0 }
    /// RTP timestamp.
    public var timestamp: UInt32 { buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self) ?? 0 }
    /// SSRC.
    public var ssrc: UInt32 { buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self) ?? 0 }

    /// The CSRC identifiers.
    public var csrcs: [UInt32] {
        (0..<csrcCount).compactMap { buffer.getInteger(at: buffer.readerIndex + 12 + 4 * $0, as: UInt32.self) }
    }

    /// Payload without padding.
    public var payloadLength: Int { buffer.readableBytes - headerLength - paddingLength }

    /// The payload bytes (a slice of the packet, no copy).
    public var payload: ByteBuffer {
        buffer.getSlice(at: buffer.readerIndex + headerLength, length: payloadLength) ?? ByteBuffer()
    }

    func byte(_ offset: Int) -> UInt8 {
        buffer.getInteger(at: buffer.readerIndex + offset, as: UInt8.self) ?? 0
    }
}

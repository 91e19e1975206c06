import NIOCore

/// Incremental frame parser: a plain value type with no I/O, shared by the NIO
/// decoder, tests and the fuzz target.
///
/// A frame's length is checked against `maxFrameSize` as soon as its header is
/// complete, so an oversized length prefix is refused before any payload is
/// buffered; unknown frame types are refused at the header, too.
public struct LinkFrameParser: Sendable {
    /// Largest payload accepted (this peer's MAX_FRAME_SIZE).
    public var maxFrameSize: UInt32
    private var buffer = ByteBuffer()

    public init(maxFrameSize: UInt32 = LinkSettings().maxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// Adds received bytes.
    public mutating func append(bytes: ByteBuffer) {
        buffer.writeImmutableBuffer(bytes)
    }

    /// Returns the next complete frame, nil if more bytes are needed.
    public mutating func nextFrame() throws -> LinkFrame? {
        let frame = try Self.nextFrame(from: &buffer, maxFrameSize: maxFrameSize)
        if buffer.readerIndex > 65_536 { buffer.discardReadBytes() }
        return frame
    }

    /// Parses one frame from the front of `buffer`, consuming it; leaves the buffer
    /// untouched and returns nil when the frame is not complete yet.
    public static func nextFrame(from buffer: inout ByteBuffer, maxFrameSize: UInt32) throws -> LinkFrame? {
        // Reads in place (no copy of `buffer` to peek with: each copy is a retain, a release
        // and a uniqueness check when the reader index moves).
        guard let header = LinkFrameHeader.get(at: buffer.readerIndex, from: buffer) else { return nil }
        guard header.length <= maxFrameSize else {
            throw LinkProtocolError(.frameSizeError, "frame length \(header.length) exceeds MAX_FRAME_SIZE \(maxFrameSize)")
        }
        guard LinkFrameType(encoded: header.type.rawValue) != nil else {
            throw LinkProtocolError(.unknownFrameType, "unknown frame type \(header.type)")
        }
        let length = Int(header.length)
        // nil while the payload has not all arrived (it would end past the writer index).
        guard var payload = buffer.getSlice(at: buffer.readerIndex + LinkFrameHeader.size, length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: LinkFrameHeader.size + length)
        return try LinkFrame.decode(header: header, payload: &payload)
    }
}

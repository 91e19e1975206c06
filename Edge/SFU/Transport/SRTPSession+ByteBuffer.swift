import NIOCore
import StreamLySFUNative

/// SRTP over the transport's `ByteBuffer`s, in place: unprotecting shrinks the readable
/// bytes; protecting grows them into the buffer's spare capacity (reserved first, which
/// copies only when the buffer is shared or too small). Public for the load tool's peers.
extension SRTPSession {
    public func unprotectRTP(_ packet: inout ByteBuffer) throws {
        try unprotect(&packet) { try unprotectRTP(in: $0, length: $1) }
    }

    public func unprotectRTCP(_ packet: inout ByteBuffer) throws {
        try unprotect(&packet) { try unprotectRTCP(in: $0, length: $1) }
    }

    public func protectRTP(_ packet: inout ByteBuffer) throws {
        try protect(&packet) { try protectRTP(in: $0, length: $1) }
    }

    public func protectRTCP(_ packet: inout ByteBuffer) throws {
        try protect(&packet) { try protectRTCP(in: $0, length: $1) }
    }

    private func unprotect(
        _ packet: inout ByteBuffer, _ body: (UnsafeMutableRawBufferPointer, Int) throws -> Int
    ) throws {
        let length = try packet.withUnsafeMutableReadableBytes { try body($0, $0.count) }
        packet.moveWriterIndex(to: packet.readerIndex + length)
    }

    private func protect(
        _ packet: inout ByteBuffer, _ body: (UnsafeMutableRawBufferPointer, Int) throws -> Int
    ) throws {
        let length = packet.readableBytes
        packet.reserveCapacity(minimumWritableBytes: SRTPSession.maximumTrailerLength)
        let start = packet.readerIndex
        let protected = try packet.withVeryUnsafeMutableBytes { storage in
            try body(UnsafeMutableRawBufferPointer(rebasing: storage[start...]), length)
        }
        packet.moveWriterIndex(to: start + protected)
    }
}

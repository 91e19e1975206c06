import NIOCore

/// An RTCP packet this module can serialize. Use generically (`some RTCPWritable`) so that a
/// compound is written into one reused buffer without existential boxing.
public protocol RTCPWritable: Sendable {
    /// Appends the packet, header included, to `buffer`.
    func write(to buffer: inout ByteBuffer)
}

extension RTCPWritable {
    /// The packet alone in a new buffer.
    public func serialized() -> ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer
    }
}

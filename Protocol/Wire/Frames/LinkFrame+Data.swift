import NIOCore

extension LinkFrame {
    /// A chunk of a request or response body. The payload is the body bytes.
    public struct DataChunk: Hashable, Sendable {
        public var streamID: LinkStreamID
        public var body: ByteBuffer
        public var endStream: Bool

        public init(streamID: LinkStreamID, body: ByteBuffer, endStream: Bool) {
            self.streamID = streamID
            self.body = body
            self.endStream = endStream
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) -> DataChunk {
            let body = buffer.readSlice(length: buffer.readableBytes)!
            return DataChunk(streamID: header.streamID, body: body, endStream: header.flags.contains(.endStream))
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeImmutableBuffer(body)
        }
    }
}

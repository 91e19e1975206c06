import NIOCore

extension LinkFrame {
    /// Answers a request: a status (HTTP-style codes), metadata and the first body bytes.
    public struct Response: Hashable, Sendable {
        public var streamID: LinkStreamID
        public var status: UInt16
        public var metadata: LinkMetadata
        public var body: ByteBuffer
        public var endStream: Bool

        public init(streamID: LinkStreamID, status: UInt16, metadata: LinkMetadata = [:],
                    body: ByteBuffer = ByteBuffer(), endStream: Bool) {
            self.streamID = streamID
            self.status = status
            self.metadata = metadata
            self.body = body
            self.endStream = endStream
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) throws -> Response {
            let (status, metadata, body) = try buffer.readLeadMetadataBody { reader in
                try reader.integer(UInt16.self, field: "status")
            }
            return Response(streamID: header.streamID, status: status, metadata: metadata, body: body,
                            endStream: header.flags.contains(.endStream))
        }

        /// Writes the whole frame, header included, in one reserved write.
        func encodeFrame(into buffer: inout ByteBuffer) {
            let length = 2 + metadata.encodedSize + body.readableBytes
            let header = LinkFrameHeader(length: UInt32(length), type: .response,
                                         flags: endStream ? .endStream : [], streamID: streamID)
            LinkFrameWriter.write(header, into: &buffer) { writer in
                writer.integer(status)
                metadata.encode(into: &writer)
                writer.buffer(body)
            }
        }
    }
}

import NIOCore

/// Most bytes of a method or topic name.
public let linkMaxNameLength = 255

extension LinkFrame {
    /// Opens a stream: a method name, metadata and the first body bytes.
    /// With END_STREAM the request body is complete; otherwise DATA frames follow.
    public struct Request: Hashable, Sendable {
        public var streamID: LinkStreamID
        public var method: String
        public var metadata: LinkMetadata
        /// Inline body bytes; they count against flow control like DATA.
        public var body: ByteBuffer
        public var endStream: Bool

        public init(streamID: LinkStreamID, method: String, metadata: LinkMetadata = [:],
                    body: ByteBuffer = ByteBuffer(), endStream: Bool) {
            self.streamID = streamID
            self.method = method
            self.metadata = metadata
            self.body = body
            self.endStream = endStream
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) throws -> Request {
            let (method, metadata, body) = try buffer.readLeadMetadataBody { reader in
                let method = try reader.string8(field: "method")
                guard !method.isEmpty else { throw LinkProtocolError(.protocolError, "empty method") }
                return method
            }
            return Request(streamID: header.streamID, method: method, metadata: metadata, body: body,
                           endStream: header.flags.contains(.endStream))
        }

        /// Writes the whole frame, header included, in one reserved write.
        func encodeFrame(into buffer: inout ByteBuffer) {
            let length = 1 + method.utf8.count + metadata.encodedSize + body.readableBytes
            let header = LinkFrameHeader(length: UInt32(length), type: .request,
                                         flags: endStream ? .endStream : [], streamID: streamID)
            LinkFrameWriter.write(header, into: &buffer) { writer in
                writer.string8(method)
                metadata.encode(into: &writer)
                writer.buffer(body)
            }
        }
    }
}

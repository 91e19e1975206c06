import NIOCore

extension LinkFrame {
    /// A one-shot message outside any stream, in either direction: server pushes
    /// (fan-out deliveries, events). Not flow-controlled; limited to MAX_FRAME_SIZE.
    public struct Message: Hashable, Sendable {
        public var topic: String
        public var metadata: LinkMetadata
        public var payload: ByteBuffer

        public init(topic: String, metadata: LinkMetadata = [:], payload: ByteBuffer) {
            self.topic = topic
            self.metadata = metadata
            self.payload = payload
        }

        static func decode(from buffer: inout ByteBuffer) throws -> Message {
            let (topic, metadata, payload) = try buffer.readLeadMetadataBody { reader in
                let topic = try reader.string8(field: "topic")
                guard !topic.isEmpty else { throw LinkProtocolError(.protocolError, "empty topic") }
                return topic
            }
            return Message(topic: topic, metadata: metadata, payload: payload)
        }

        /// Writes the whole frame, header included, in one reserved write.
        func encodeFrame(into buffer: inout ByteBuffer) {
            let length = 1 + topic.utf8.count + metadata.encodedSize + payload.readableBytes
            let header = LinkFrameHeader(length: UInt32(length), type: .message, flags: [], streamID: .connection)
            LinkFrameWriter.write(header, into: &buffer) { writer in
                writer.string8(topic)
                metadata.encode(into: &writer)
                writer.buffer(payload)
            }
        }
    }
}

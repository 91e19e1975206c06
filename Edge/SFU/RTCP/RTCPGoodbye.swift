import NIOCore

/// BYE (RFC 3550 §6.6): sources leaving, with an optional reason.
public struct RTCPGoodbye: Hashable, Sendable {
    public var ssrcs: [UInt32]
    /// The reason text, when present and UTF-8.
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    static func parse(header: RTCPHeader, body: ByteBuffer) throws(RTPPacketError) -> RTCPGoodbye {
        let at = body.readerIndex
        let count = Int(header.count)
        guard 4 * count <= body.readableBytes else {
            throw RTPPacketError(.badBody, "BYE with SC \(count) in \(body.readableBytes) bytes")
        }
        let ssrcs = (0..<count).compactMap { body.getInteger(at: at + 4 * $0, as: UInt32.self) }
        var reason: String?
        if let length = body.getInteger(at: at + 4 * count, as: UInt8.self),
           let text = body.getSlice(at: at + 4 * count + 1, length: Int(length)) {
            reason = String(validating: text.readableBytesView, as: UTF8.self)
        }
        return RTCPGoodbye(ssrcs: ssrcs, reason: reason)
    }
}

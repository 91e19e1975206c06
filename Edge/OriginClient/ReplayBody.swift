import NIOCore

// The replay body of `chat.subscribe` and `chat.gap` (Protocol/README.md, "Replay body"):
// message events, one per `\n`-terminated line, in seq order.

extension ByteBuffer {
    /// Reads one `\n`-terminated line of a replay body: a message event and its seq.
    mutating func readNextLine() -> (seq: Int64, event: ByteBuffer)? {
        guard readableBytes > 0 else { return nil }
        let length = readableBytesView.firstIndex(of: UInt8(ascii: "\n")).map { $0 - readerIndex } ?? readableBytes
        let line = readSlice(length: length)!
        moveReaderIndex(forwardBy: min(1, readableBytes))
        return (MessageEventSeq.parse(line) ?? 0, line)
    }
}

/// Finds `"seq":N` in a message event without decoding the whole object.
enum MessageEventSeq {
    static func parse(_ event: ByteBuffer) -> Int64? {
        let key = Array(#""seq":"#.utf8)
        let bytes = event.readableBytesView
        guard let start = bytes.firstRange(of: key)?.upperBound else { return nil }
        var value: Int64 = 0
        var index = start
        while index < bytes.endIndex, let digit = bytes[index].digitValue {
            value = value * 10 + Int64(digit)
            index += 1
        }
        return index == start ? nil : value
    }
}

extension UInt8 {
    var digitValue: Int? { (48...57).contains(self) ? Int(self - 48) : nil }
}

/// `a=simulcast:send <streams> [recv <streams>]` (RFC 8853 §5.1): streams are `;`-separated,
/// each a `,`-separated list of alternative rids, `~` marking a paused one.
public struct SDPSimulcast: Hashable, Sendable, SDPAttributeValue {
    /// One rid in a stream's alternatives.
    public struct Alternative: Hashable, Sendable {
        public var rid: String
        public var paused: Bool

        public init(rid: String, paused: Bool = false) {
            self.rid = rid
            self.paused = paused
        }
    }

    /// Streams sent, each a list of alternatives.
    public var send: [[Alternative]]
    /// Streams received.
    public var receive: [[Alternative]]

    public init(send: [[Alternative]] = [], receive: [[Alternative]] = []) {
        self.send = send
        self.receive = receive
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard fields.count == 2 || fields.count == 4 else { return nil }
        var send: [[Alternative]]?
        var receive: [[Alternative]]?
        for index in stride(from: 0, to: fields.count, by: 2) {
            guard let streams = Self.streams(fields[index + 1]) else { return nil }
            switch fields[index] {
            case "send" where send == nil: send = streams
            case "recv" where receive == nil: receive = streams
            default: return nil
            }
        }
        self.init(send: send ?? [], receive: receive ?? [])
    }

    private static func streams(_ text: Substring) -> [[Alternative]]? {
        var result: [[Alternative]] = []
        for stream in text.split(separator: ";", omittingEmptySubsequences: false) {
            var alternatives: [Alternative] = []
            for rid in stream.split(separator: ",", omittingEmptySubsequences: false) {
                let paused = rid.hasPrefix("~")
                let name = paused ? rid.dropFirst() : rid
                guard !name.isEmpty else { return nil }
                alternatives.append(Alternative(rid: String(name), paused: paused))
            }
            result.append(alternatives)
        }
        return result
    }

    public var sdpValue: String {
        func text(_ streams: [[Alternative]]) -> String {
            streams.map { $0.map { ($0.paused ? "~" : "") + $0.rid }.joined(separator: ",") }.joined(separator: ";")
        }
        var parts: [String] = []
        if !send.isEmpty { parts.append("send \(text(send))") }
        if !receive.isEmpty { parts.append("recv \(text(receive))") }
        return parts.joined(separator: " ")
    }
}

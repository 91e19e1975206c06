/// `a=fmtp:<payload type> <parameters>` (RFC 8866 §6.15). The parameters are kept verbatim
/// (answers must echo them: SFU-NOTES §2); `parameters` splits the usual `k=v;k=v` form.
public struct SDPFormatParameters: Hashable, Sendable, SDPAttributeValue {
    public var payloadType: UInt8
    public var value: String

    public init(payloadType: UInt8, value: String) {
        self.payloadType = payloadType
        self.value = value
    }

    public init?(sdpValue: Substring) {
        guard let space = sdpValue.firstIndex(of: " "), let payloadType = UInt8(sdpValue[..<space]), payloadType < 128
        else { return nil }
        self.init(payloadType: payloadType, value: String(sdpValue[sdpValue.index(after: space)...]))
    }

    public var sdpValue: String { "\(payloadType) \(value)" }

    /// `key=value` pairs split on `;` (keys lowercased, whitespace trimmed; a bare key maps to "").
    public var parameters: [String: String] {
        var result: [String: String] = [:]
        for pair in value.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let key = parts.first?.trimmingSpaces, !key.isEmpty else { continue }
            result[key.lowercased()] = parts.count == 2 ? String(parts[1].trimmingSpaces) : ""
        }
        return result
    }
}

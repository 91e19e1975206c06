/// `a=fingerprint:<hash-function> <AA:BB:…>` (RFC 8122 §5): the DTLS certificate's hash. A
/// description may carry several (aiortc sends sha-256, sha-384 and sha-512).
public struct SDPFingerprint: Hashable, Sendable, SDPAttributeValue {
    /// Lowercased hash function name (`sha-256`).
    public var hashFunction: String
    /// Colon-separated uppercase hex, as written.
    public var value: String

    public init(hashFunction: String, value: String) {
        self.hashFunction = hashFunction.lowercased()
        self.value = value
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard fields.count == 2,
              fields[1].split(separator: ":", omittingEmptySubsequences: false)
                .allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) })
        else { return nil }
        self.init(hashFunction: String(fields[0]), value: String(fields[1]))
    }

    public var sdpValue: String { "\(hashFunction) \(value)" }

    /// The digest bytes.
    public var bytes: [UInt8] {
        value.split(separator: ":").compactMap { UInt8($0, radix: 16) }
    }
}

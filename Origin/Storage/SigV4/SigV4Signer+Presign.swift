extension SigV4Signer {
    /// The longest validity S3 accepts for a presigned URL: seven days.
    public static let maximumPresignExpiry = 604_800

    /// The query parameters of a presigned URL ("Authenticating Requests: Using Query Parameters"):
    /// the request's own `query` plus `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders` (`host`) and `X-Amz-Signature`. The payload is
    /// `UNSIGNED-PAYLOAD`. Throws `S3Error.Code.invalidArgument` unless 1 ≤ expires ≤ 604800.
    public func presignedQuery(
        method: String, host: String, path: String, query: [(name: String, value: String)] = [],
        expires: Int, timestamp: SigV4Timestamp
    ) throws(S3Error) -> [(name: String, value: String)] {
        guard (1...Self.maximumPresignExpiry).contains(expires) else {
            throw S3Error(status: 400, code: .invalidArgument,
                          message: "presigned URL expiry must be 1...\(Self.maximumPresignExpiry) seconds, got \(expires)")
        }
        var items = query
        items += [
            (name: "X-Amz-Algorithm", value: Self.algorithm),
            (name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(credentialScope(timestamp))"),
            (name: "X-Amz-Date", value: timestamp.amzDate),
            (name: "X-Amz-Expires", value: String(expires)),
            (name: "X-Amz-SignedHeaders", value: "host"),
        ]
        let request = SigV4Request(method: method, path: path, query: items,
                                   headers: [(name: "host", value: host)], payloadHash: Self.unsignedPayload)
        items.append((name: "X-Amz-Signature", value: signature(for: request, timestamp: timestamp)))
        return items
    }
}

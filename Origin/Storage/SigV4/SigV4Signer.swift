import Crypto

/// An access key pair.
public struct S3Credentials: Sendable, Hashable {
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

/// The parts of an HTTP request that SigV4 signs. Pure value: no I/O.
public struct SigV4Request: Sendable {
    public var method: String
    /// The absolute path, not yet percent-encoded (`/bucket/a b.txt`); encoded per `AWSURIEncoding`.
    public var path: String
    /// Query parameters, not yet encoded.
    public var query: [(name: String, value: String)]
    /// Headers to sign (names in any case). Must contain `host`.
    public var headers: [(name: String, value: String)]
    /// Hex SHA-256 of the body, or `SigV4Signer.unsignedPayload`.
    public var payloadHash: String

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payloadHash: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for S3: header-based authorization
/// ("Authenticating Requests: Using the Authorization Header") and presigned query URLs
/// ("Authenticating Requests: Using Query Parameters"). Pure: the caller passes the instant.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Payload hash for bodies that are not hashed (presigned URLs, streamed uploads).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: S3Credentials
    public var region: String
    public var service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Hex SHA-256 of a payload, for `x-amz-content-sha256`.
    public static func payloadHash<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hexString(hasher.finalize())
    }

    /// `<date>/<region>/<service>/aws4_request`.
    public func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.dateStamp)/\(region)/\(service)/aws4_request"
    }

    /// Lower-cased, sorted header names joined by `;`.
    public func signedHeaders(_ request: SigV4Request) -> String {
        canonicalHeaderPairs(request).map(\.name).joined(separator: ";")
    }

    /// Step 1: method, canonical URI, canonical query, canonical headers, signed headers, payload hash.
    public func canonicalRequest(_ request: SigV4Request) -> String {
        let headers = canonicalHeaderPairs(request)
        return [
            request.method,
            AWSURIEncoding.encodePath(request.path.isEmpty ? "/" : request.path),
            AWSURIEncoding.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            headers.map(\.name).joined(separator: ";"),
            request.payloadHash,
        ].joined(separator: "\n")
    }

    /// Step 2: algorithm, timestamp, scope, hex SHA-256 of the canonical request.
    public func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        [
            Self.algorithm,
            timestamp.amzDate,
            credentialScope(timestamp),
            hexString(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// Step 3: HMAC chain `AWS4<secret>` → date → region → service → `aws4_request`.
    public func signingKey(dateStamp: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// Step 4: hex HMAC of the string to sign under the signing key.
    public func signature(stringToSign: String, timestamp: SigV4Timestamp) -> String {
        let key = signingKey(dateStamp: timestamp.dateStamp)
        return hexString(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The signature of a request whose headers are already complete.
    public func signature(for request: SigV4Request, timestamp: SigV4Timestamp) -> String {
        signature(stringToSign: stringToSign(canonicalRequest: canonicalRequest(request), timestamp: timestamp),
                  timestamp: timestamp)
    }

    /// The `Authorization` header value for a request whose headers already include `host`,
    /// `x-amz-date` and `x-amz-content-sha256`.
    public func authorization(for request: SigV4Request, timestamp: SigV4Timestamp) -> String {
        "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(timestamp)),"
            + "SignedHeaders=\(signedHeaders(request)),Signature=\(signature(for: request, timestamp: timestamp))"
    }

    /// Adds `x-amz-date` and `x-amz-content-sha256` to the request, signs it, and returns the
    /// headers to send besides the request's own: those two and `Authorization`.
    public func sign(_ request: inout SigV4Request, timestamp: SigV4Timestamp) -> [(name: String, value: String)] {
        let added = [
            (name: "x-amz-content-sha256", value: request.payloadHash),
            (name: "x-amz-date", value: timestamp.amzDate),
        ]
        request.headers.removeAll { header in added.contains { $0.name == header.name.lowercased() } }
        request.headers += added
        return added + [(name: "Authorization", value: authorization(for: request, timestamp: timestamp))]
    }

    /// Headers as `name:value` pairs: names lower-cased, values trimmed with inner runs of spaces
    /// collapsed, repeated names joined with `,`, sorted by name.
    func canonicalHeaderPairs(_ request: SigV4Request) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for header in request.headers {
            merged[header.name.lowercased(), default: []].append(Self.trimmed(header.value))
        }
        return merged.keys.sorted().map { (name: $0, value: merged[$0]!.joined(separator: ",")) }
    }

    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

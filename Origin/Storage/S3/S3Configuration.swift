import Foundation

/// Where and as whom an `S3Client` talks: endpoint, region, bucket, keys and addressing style.
public struct S3Configuration: Sendable {
    /// Path style puts the bucket in the path (`http://host:port/bucket/key`, what local servers
    /// such as nanio and MinIO expect); virtual-hosted style in the host name
    /// (`https://bucket.s3.amazonaws.com/key`).
    public enum AddressingStyle: Sendable, Hashable {
        case path
        case virtualHosted
    }

    public var scheme: String
    /// Host name of the endpoint, without the bucket.
    public var host: String
    /// Port, nil for the scheme's default.
    public var port: Int?
    public var region: String
    public var bucket: String
    public var credentials: S3Credentials
    public var addressingStyle: AddressingStyle

    /// - Parameter endpoint: `http(s)://host[:port]`, e.g. `http://127.0.0.1:9000` or
    ///   `https://s3.us-east-1.amazonaws.com`. Throws `.invalidArgument` for anything else.
    public init(
        endpoint: String, region: String, bucket: String, accessKeyID: String, secretAccessKey: String,
        addressingStyle: AddressingStyle = .path
    ) throws(S3Error) {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
              url.path.isEmpty || url.path == "/", url.query == nil
        else {
            throw S3Error(status: 400, code: .invalidArgument,
                          message: "S3 endpoint must be http(s)://host[:port], got \(endpoint)")
        }
        guard !bucket.isEmpty, !bucket.contains("/") else {
            throw S3Error(status: 400, code: .invalidArgument, message: "invalid bucket name \(bucket)")
        }
        self.scheme = scheme
        self.host = host
        self.port = url.port
        self.region = region
        self.bucket = bucket
        self.credentials = S3Credentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)
        self.addressingStyle = addressingStyle
    }

    /// The host, and the path (not yet encoded) that address `key` (or the bucket when nil).
    public func address(key: String?) -> S3Address {
        let authorityPort = port.flatMap { port -> String? in
            (scheme == "http" && port == 80) || (scheme == "https" && port == 443) ? nil : ":\(port)"
        } ?? ""
        switch addressingStyle {
        case .path:
            return S3Address(scheme: scheme, host: host + authorityPort,
                             path: "/\(bucket)" + (key.map { "/\($0)" } ?? ""))
        case .virtualHosted:
            return S3Address(scheme: scheme, host: "\(bucket).\(host)" + authorityPort, path: "/" + (key ?? ""))
        }
    }
}

/// A request target: scheme, `Host` header value (with a non-default port) and unencoded path.
public struct S3Address: Sendable, Hashable {
    public var scheme: String
    public var host: String
    public var path: String

    /// The URL as sent on the wire: path encoded per SigV4 (so it matches the canonical URI),
    /// query encoded in the given order.
    public func urlString(query: [(name: String, value: String)] = []) -> String {
        var url = "\(scheme)://\(host)\(AWSURIEncoding.encodePath(path))"
        if !query.isEmpty {
            url += "?" + query.map { "\(AWSURIEncoding.encode($0.name))=\(AWSURIEncoding.encode($0.value))" }
                .joined(separator: "&")
        }
        return url
    }
}

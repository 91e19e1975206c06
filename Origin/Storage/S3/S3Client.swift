import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// An S3 client over AsyncHTTPClient, signing every request with `SigV4Signer`.
///
/// Server error answers become `S3Error` (status, code and message from the `<Error>` body);
/// transport failures (connection refused, timeouts) propagate as AsyncHTTPClient's errors.
public struct S3Client: ObjectStore {
    public let configuration: S3Configuration
    public let httpClient: HTTPClient
    /// Deadline for one request, from sending until the whole response body has arrived.
    public var timeout: TimeAmount
    /// Largest response body read into memory (a `getObject` result included).
    public var maxResponseBytes: Int
    public var logger: Logger
    let signer: SigV4Signer
    /// The signing clock (injected in tests).
    let now: @Sendable () -> Date

    public init(
        configuration: S3Configuration,
        httpClient: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(60),
        maxResponseBytes: Int = 1 << 30,
        logger: Logger = Logger(label: "streamly.storage.s3"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.now = now
    }

    /// A response with its whole body.
    struct Response {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Creates the configured bucket (PUT on the bucket); succeeds if we already own it.
    public func createBucket() async throws {
        let response = try await send(.PUT, key: nil, body: ByteBuffer())
        if response.status.code == 409,
           let error = Self.error(from: response, key: nil), error.code.rawValue == "BucketAlreadyOwnedByYou" {
            return
        }
        try check(response, key: nil)
    }

    /// Signs and sends one request and reads its whole body. The body is hashed into
    /// `x-amz-content-sha256`; the path, query and headers are signed as sent.
    func send(
        _ method: HTTPMethod, key: String?, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil
    ) async throws -> Response {
        let address = configuration.address(key: key)
        let payloadHash = body.map { SigV4Signer.payloadHash($0.readableBytesView) } ?? SigV4Signer.emptyPayloadHash
        var signed = SigV4Request(method: method.rawValue, path: address.path, query: query,
                                  headers: [(name: "host", value: address.host)] + headers, payloadHash: payloadHash)
        let added = signer.sign(&signed, timestamp: SigV4Timestamp(now()))

        var request = HTTPClientRequest(url: address.urlString(query: query))
        request.method = method
        request.headers.add(name: "Host", value: address.host)
        for header in headers + added {
            request.headers.add(name: header.name, value: header.value)
        }
        if let body {
            request.body = .bytes(body)
        }
        do {
            return try await execute(request)
        } catch let error as HTTPClientError where error == .remoteConnectionClosed && Self.isReplayable(method) {
            // A pooled keep-alive connection the server closed just as it was reused: the
            // request never reached it. Idempotent requests go once more, as S3 SDKs do.
            logger.debug("S3 connection closed under a request; sending it again", metadata: ["method": "\(method)"])
            return try await execute(request)
        }
    }

    private func execute(_ request: HTTPClientRequest) async throws -> Response {
        let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
        let bytes = try await response.body.collect(upTo: maxResponseBytes)
        return Response(status: response.status, headers: response.headers, body: bytes)
    }

    /// Methods S3 applies idempotently (the whole body is in memory, so it can be sent again).
    static func isReplayable(_ method: HTTPMethod) -> Bool {
        [.GET, .HEAD, .PUT, .DELETE].contains(method)
    }

    /// Throws the response's `S3Error` unless its status is 2xx.
    func check(_ response: Response, key: String?) throws(S3Error) {
        guard (200..<300).contains(response.status.code) else {
            throw Self.error(from: response, key: key)
                ?? S3Error(status: Int(response.status.code), code: Self.defaultCode(response.status.code),
                           message: response.status.reasonPhrase, key: key,
                           requestID: response.headers.first(name: "x-amz-request-id"))
        }
    }

    /// The `<Error><Code/><Message/><RequestId/></Error>` document of a response, if it has one.
    static func error(from response: Response, key: String?) -> S3Error? {
        guard response.body.readableBytes > 0,
              let root = S3XMLElement.parse(Array(response.body.readableBytesView)), root.name == "Error"
        else { return nil }
        let status = Int(response.status.code)
        return S3Error(
            status: status,
            code: root.text("Code").map(S3Error.Code.init(rawValue:)) ?? defaultCode(response.status.code),
            message: root.text("Message") ?? response.status.reasonPhrase,
            key: root.text("Key") ?? key,
            requestID: root.text("RequestId") ?? response.headers.first(name: "x-amz-request-id"))
    }

    /// A code for error answers without a body (HEAD, some proxies).
    static func defaultCode(_ status: UInt) -> S3Error.Code {
        switch status {
        case 403: .accessDenied
        case 404: .noSuchKey
        case 416: .invalidRange
        default: .unknown
        }
    }

    /// Parses an XML body, or throws `.invalidResponse`.
    static func document(_ response: Response, expecting name: String) throws(S3Error) -> S3XMLElement {
        guard let root = S3XMLElement.parse(Array(response.body.readableBytesView)), root.name == name else {
            throw S3Error(status: Int(response.status.code), code: .invalidResponse,
                          message: "expected a <\(name)> document, got \(String(buffer: response.body).prefix(200))")
        }
        return root
    }
}

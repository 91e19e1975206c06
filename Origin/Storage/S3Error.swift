/// The module's error, thrown by `S3Client` and by `LocalObjectStore` alike so callers handle one
/// type: the HTTP status, the S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, …) and the
/// message, as the S3 `<Error>` XML body carries them (the local backend uses the same codes).
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// An S3 error code. Extensible: any code a server sends is representable.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let noSuchKey = Code("NoSuchKey")
        public static let noSuchBucket = Code("NoSuchBucket")
        public static let noSuchUpload = Code("NoSuchUpload")
        public static let invalidPart = Code("InvalidPart")
        public static let invalidPartOrder = Code("InvalidPartOrder")
        public static let invalidRange = Code("InvalidRange")
        public static let invalidArgument = Code("InvalidArgument")
        public static let entityTooSmall = Code("EntityTooSmall")
        public static let accessDenied = Code("AccessDenied")
        public static let signatureDoesNotMatch = Code("SignatureDoesNotMatch")
        public static let invalidAccessKeyID = Code("InvalidAccessKeyId")
        /// The key cannot be stored (local backend: `..`, absolute, NUL, empty segment, clash).
        public static let invalidObjectName = Code("InvalidObjectName")
        /// The server answered with something that is not a valid S3 response.
        public static let invalidResponse = Code("InvalidResponse")
        /// The status was an error but the body carried no S3 `<Error>` document.
        public static let unknown = Code("Unknown")
    }

    /// HTTP status of the response (or the status S3 would use, for locally detected errors).
    public var status: Int
    public var code: Code
    public var message: String
    /// The object key involved, when known.
    public var key: String?
    /// `x-amz-request-id` / `<RequestId>`, when the server sent one.
    public var requestID: String?

    public init(status: Int, code: Code, message: String, key: String? = nil, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.key = key
        self.requestID = requestID
    }

    public var description: String {
        "S3Error(\(status) \(code): \(message)\(key.map { ", key \($0)" } ?? ""))"
    }

    static func noSuchKey(_ key: String) -> S3Error {
        S3Error(status: 404, code: .noSuchKey, message: "The specified key does not exist.", key: key)
    }

    static func noSuchUpload(_ uploadID: String) -> S3Error {
        S3Error(status: 404, code: .noSuchUpload, message: "The specified multipart upload \(uploadID) does not exist.")
    }
}

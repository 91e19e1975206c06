import Foundation

/// The methods a presigned URL may be used with.
public enum PresignedMethod: String, Sendable, Hashable {
    case get = "GET"
    case put = "PUT"
}

extension S3Client {
    /// A URL that lets its holder `GET` or `PUT` `key` without credentials for `expires`
    /// seconds (1...604800), signed now. A PUT through it stores the body as sent.
    public func presignedURL(method: PresignedMethod, key: String, expires: Int) throws(S3Error) -> URL {
        let address = configuration.address(key: key)
        let query = try signer.presignedQuery(method: method.rawValue, host: address.host, path: address.path,
                                              expires: expires, timestamp: SigV4Timestamp(now()))
        guard let url = URL(string: address.urlString(query: query)) else {
            throw S3Error(status: 400, code: .invalidArgument, message: "cannot form a URL", key: key)
        }
        return url
    }
}

import NIOSSL

/// TLS for the link. With `caPath` set on the server, clients must present a
/// certificate signed by that CA (mutual TLS); on the client, `caPath` is the CA
/// that signed the origin's certificate.
public struct LinkTLSConfiguration: Sendable, Codable, Equatable {
    public var certificatePath: String?
    public var keyPath: String?
    public var caPath: String?
    /// Server: require and verify a client certificate (mutual TLS).
    public var requireClientCertificate: Bool

    public init(certificatePath: String? = nil, keyPath: String? = nil, caPath: String? = nil,
                requireClientCertificate: Bool = false) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
        self.requireClientCertificate = requireClientCertificate
    }

    public func makeServerContext() throws -> NIOSSLContext {
        guard let certificatePath, let keyPath else {
            throw LinkError(.invalidArgument, "link TLS needs certificatePath and keyPath on the origin")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        if requireClientCertificate {
            guard let caPath else {
                throw LinkError(.invalidArgument, "mutual TLS needs caPath to verify client certificates")
            }
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .file(caPath)
        }
        return try NIOSSLContext(configuration: tls)
    }

    public func makeClientContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caPath { tls.trustRoots = .file(caPath) }
        if let certificatePath, let keyPath {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        }
        return try NIOSSLContext(configuration: tls)
    }
}

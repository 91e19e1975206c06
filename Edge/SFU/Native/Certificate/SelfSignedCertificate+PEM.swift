internal import COpenSSL

extension SelfSignedCertificate {
    /// The certificate and its private key (PKCS #8, unencrypted) as PEM text (RFC 7468), e.g.
    /// to keep a generated HTTPS certificate across restarts.
    public func pemEncoded() throws -> (certificate: String, privateKey: String) {
        let certificate = try Self.pem { bio in PEM_write_bio_X509(bio, self.certificate) }
        let privateKey = try Self.pem { bio in PEM_write_bio_PrivateKey(bio, self.privateKey, nil, nil, 0, nil, nil) }
        return (certificate, privateKey)
    }

    /// Runs `write` on a memory BIO and returns what it wrote.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw MediaNativeError.openSSL("BIO_new failed") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw MediaNativeError.openSSL("PEM encoding failed") }
        let length = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: length)
        guard BIO_read(bio, &bytes, Int32(length)) == Int32(length) else { throw MediaNativeError.openSSL("BIO_read failed") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

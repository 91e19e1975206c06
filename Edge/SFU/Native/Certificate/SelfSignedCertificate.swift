internal import COpenSSL

/// An ephemeral self-signed ECDSA P-256 certificate and its private key, generated in memory,
/// as WebRTC endpoints use for DTLS-SRTP (RFC 8827 §6.5). Peers authenticate it by the
/// SHA-256 fingerprint carried in SDP (`a=fingerprint:sha-256 …`, RFC 8122 §5), not by a CA.
// @unchecked Sendable: the X509 and EVP_PKEY are created and fully set up in `init`, never
// mutated afterwards, and OpenSSL allows concurrent read-only use of both (their reference
// counts are atomic), which is all `DTLSContext` does with them.
public final class SelfSignedCertificate: @unchecked Sendable {
    /// SHA-256 fingerprint of the DER certificate as upper-case hex pairs joined by colons
    /// ("AB:CD:…"), ready for `a=fingerprint:sha-256`.
    public let sha256Fingerprint: String

    /// The certificate (X509*).
    let certificate: OpaquePointer
    /// The certificate's private key (EVP_PKEY*).
    let privateKey: OpaquePointer

    /// Generates a new key pair and a self-signed certificate for it.
    /// - Parameters:
    ///   - commonName: subject and issuer CN; WebRTC peers ignore it.
    ///   - validity: how long the certificate is valid from one hour ago (clock-skew margin).
    ///   - subjectAltNames: X.509v3 subjectAltName entries in OpenSSL's form (`DNS:localhost`,
    ///     `IP:127.0.0.1`), for TLS servers (RFC 6125 §6.4); DTLS leaves them out.
    public init(commonName: String = "StreamLy", validity: Duration = .seconds(30 * 24 * 3600),
                subjectAltNames: [String] = []) throws {
        guard let key = streamly_EVP_EC_gen_P256() else {
            throw MediaNativeError.openSSL("EVP_EC_gen(P-256) failed")
        }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw MediaNativeError.openSSL("X509_new failed")
        }
        do {
            try Self.fill(x509, key: key, commonName: commonName, validity: validity, subjectAltNames: subjectAltNames)
            self.sha256Fingerprint = try Self.fingerprint(of: x509)
        } catch {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw error
        }
        self.certificate = x509
        self.privateKey = key
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(privateKey)
    }

    private static func fill(
        _ x509: OpaquePointer, key: OpaquePointer, commonName: String, validity: Duration, subjectAltNames: [String]
    ) throws {
        // X.509 v3 (the field holds version - 1).
        guard X509_set_version(x509, 2) == 1 else { throw MediaNativeError.openSSL("X509_set_version failed") }
        // A random positive 63-bit serial number (RFC 5280 §4.1.2.2).
        var serial: UInt64 = 0
        guard RAND_bytes(&serial, Int32(MemoryLayout<UInt64>.size)) == 1 else {
            throw MediaNativeError.openSSL("RAND_bytes failed")
        }
        serial &= 0x7FFF_FFFF_FFFF_FFFF
        guard ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509), serial) == 1 else {
            throw MediaNativeError.openSSL("ASN1_INTEGER_set_uint64 failed")
        }
        guard X509_gmtime_adj(X509_getm_notBefore(x509), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(x509), Int(validity.components.seconds)) != nil
        else { throw MediaNativeError.openSSL("X509_gmtime_adj failed") }
        guard let name = X509_get_subject_name(x509),
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
              X509_set_issuer_name(x509, name) == 1
        else { throw MediaNativeError.openSSL("setting the certificate name failed") }
        if !subjectAltNames.isEmpty {
            guard let ext = X509V3_EXT_conf_nid(nil, nil, NID_subject_alt_name, subjectAltNames.joined(separator: ",")) else {
                throw MediaNativeError.openSSL("subjectAltName \(subjectAltNames) rejected")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw MediaNativeError.openSSL("X509_add_ext failed") }
        }
        guard X509_set_pubkey(x509, key) == 1 else { throw MediaNativeError.openSSL("X509_set_pubkey failed") }
        guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw MediaNativeError.openSSL("X509_sign failed") }
    }

    /// The SHA-256 fingerprint of an X509 certificate in SDP form ("AB:CD:…").
    static func fingerprint(of x509: OpaquePointer) throws -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(x509, EVP_sha256(), &digest, &length) == 1 else {
            throw MediaNativeError.openSSL("X509_digest failed")
        }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}

import StreamLySFUNative
import Testing

@Suite struct SelfSignedCertificateTests {
    @Test func fingerprintIsSDPFormattedSHA256() throws {
        let certificate = try SelfSignedCertificate()
        let pairs = certificate.sha256Fingerprint.split(separator: ":", omittingEmptySubsequences: false)
        #expect(pairs.count == 32)
        #expect(pairs.allSatisfy { $0.count == 2 && $0.allSatisfy { "0123456789ABCDEF".contains($0) } })
    }

    @Test func everyCertificateIsFresh() throws {
        #expect(try SelfSignedCertificate().sha256Fingerprint != SelfSignedCertificate().sha256Fingerprint)
    }

    @Test func contextsShareACertificate() throws {
        let certificate = try SelfSignedCertificate(commonName: "edge-1")
        let server = try DTLSContext(role: .server, certificate: certificate)
        let client = try DTLSContext(role: .client, certificate: certificate)
        #expect(server.fingerprint == certificate.sha256Fingerprint)
        #expect(client.fingerprint == server.fingerprint)
        #expect(server.srtpProfiles.map(\.openSSLName) == ["SRTP_AEAD_AES_128_GCM", "SRTP_AES128_CM_SHA1_80"])
    }

    @Test func contextRequiresAProfile() {
        let error = #expect(throws: MediaNativeError.self) { try DTLSContext(role: .server, srtpProfiles: []) }
        #expect(error?.code == .invalidArgument)
    }
}

import Foundation
import Logging
import NIOSSL
@testable import StreamLyEdge
import Testing

@Suite struct HTTPSCertificateTests {
    let logger = Logger(label: "test")

    @Test func selfSignedIsGeneratedOnceThenReused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tls-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = HTTPSConfiguration(stateDirectory: directory)
        let first = try HTTPSCertificate.load(configuration, logger: logger)
        let pem = try String(contentsOfFile: directory + "/self-signed/cert.pem", encoding: .utf8)
        let second = try HTTPSCertificate.load(configuration, logger: logger)
        #expect(first.chain == second.chain)
        #expect(try String(contentsOfFile: directory + "/self-signed/cert.pem", encoding: .utf8) == pem)
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/self-signed/key.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Valid for about a year, for the loopback names.
        let validity = Double(first.chain[0].notValidAfter) - Date().timeIntervalSince1970
        #expect(validity > 360 * 86_400 && validity < 366 * 86_400)
        // Usable as a server context offering h2 and http/1.1.
        _ = try ALPNServerChannel.makeContext(chain: first.chain, key: first.key)
    }

    @Test func configuredFilesAreUsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tls-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generated = try HTTPSCertificate.load(HTTPSConfiguration(stateDirectory: directory), logger: logger)
        let configured = try HTTPSCertificate.load(
            HTTPSConfiguration(certificatePath: directory + "/self-signed/cert.pem", keyPath: directory + "/self-signed/key.pem",
                               stateDirectory: directory + "/unused"), logger: logger)
        #expect(configured.chain == generated.chain)
        #expect(!FileManager.default.fileExists(atPath: directory + "/unused"))
        #expect(throws: (any Error).self) {
            try HTTPSCertificate.load(HTTPSConfiguration(certificatePath: directory + "/missing.pem", keyPath: directory + "/missing.pem"),
                                     logger: logger)
        }
    }
}

import Foundation
import StreamLyConfig
import Logging
import NIOSSL
import StreamLySFUNative

/// The HTTPS certificate: the configured PEM files, or a self-signed one generated on first
/// run into `https.state.dir/self-signed/{cert,key}.pem` and reused after (regenerated when
/// it has expired). The pair is written to a fresh directory that is then renamed into
/// place, so edges starting together never mix one's certificate with another's key.
enum HTTPSCertificate {
    /// Subject names of the generated certificate.
    static let subjectAltNames = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]
    static let validity = Duration.seconds(365 * 24 * 3600)

    static func load(_ configuration: HTTPSConfiguration, logger: Logger) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        switch (configuration.certificatePath, configuration.keyPath) {
        case (let cert?, let key?):
            return (try NIOSSLCertificate.fromPEMFile(cert), try NIOSSLPrivateKey(file: key, format: .pem))
        case (nil, nil):
            return try selfSigned(in: configuration.stateDirectory, logger: logger)
        default:
            throw ConfigurationError("https.cert and https.key must be given together")
        }
    }

    static func selfSigned(in stateDirectory: String, logger: Logger) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let directory = stateDirectory + "/self-signed"
        if let existing = try? read(directory), existing.chain.first.map({ Double($0.notValidAfter) > Date().timeIntervalSince1970 + 86_400 }) == true {
            return existing
        }
        let files = FileManager.default
        try files.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let generated = try SelfSignedCertificate(commonName: "StreamLy edge", validity: validity, subjectAltNames: subjectAltNames)
        let pem = try generated.pemEncoded()
        let staging = stateDirectory + "/.self-signed-\(UUID().uuidString)"
        try files.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data(pem.privateKey.utf8).write(to: URL(fileURLWithPath: staging + "/key.pem"))
        chmod(staging + "/key.pem", 0o600)
        try Data(pem.certificate.utf8).write(to: URL(fileURLWithPath: staging + "/cert.pem"))
        if files.fileExists(atPath: directory) {
            // Expired or unreadable: replace it.
            try? files.removeItem(atPath: directory)
        }
        if rename(staging, directory) != 0 {
            // Another edge won the race: use its pair.
            try? files.removeItem(atPath: staging)
        } else {
            logger.warning("generated a self-signed HTTPS certificate; configure https.cert and https.key in production",
                           metadata: ["path": "\(directory)/cert.pem", "sha256": "\(generated.sha256Fingerprint)"])
        }
        return try read(directory)
    }

    private static func read(_ directory: String) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        (try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem"), try NIOSSLPrivateKey(file: directory + "/key.pem", format: .pem))
    }
}

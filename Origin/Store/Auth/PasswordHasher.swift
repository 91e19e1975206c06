import Crypto
import Foundation
import StreamLyTokens
import _CryptoExtras

/// Hashes and verifies passwords with scrypt (swift-crypto's `KDF.Scrypt`, BoringSSL).
///
/// Encoded form (self-describing, so parameters can be raised later):
/// `scrypt$ln=15,r=8,p=1$<salt base64url>$<hash base64url>` with a random 16-byte salt and
/// a 32-byte derived key. Verification recomputes with the parameters stored in the
/// string and compares in constant time.
///
/// Hashing costs ~0.1 s of CPU and 32 MiB (N=2^15, r=8): call it off the cooperative
/// thread pool (`AccountService` uses NIO's thread pool).
public struct PasswordHasher: Sendable {
    /// scrypt cost parameters.
    public struct Parameters: Sendable, Hashable {
        /// log2 of N (CPU/memory cost). Memory is 128·N·r bytes.
        public var logN: Int
        /// Block size.
        public var r: Int
        /// Parallelism.
        public var p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// N=2^15, r=8, p=1: 32 MiB, the OWASP-recommended minimum for scrypt.
        public static let `default` = Parameters(logN: 15, r: 8, p: 1)

        /// Bounds accepted when reading a stored hash (guards against absurd costs).
        var isSane: Bool { (10...20).contains(logN) && (1...32).contains(r) && (1...16).contains(p) }
    }

    public static let saltByteCount = 16
    public static let hashByteCount = 32

    /// The parameters new hashes use.
    public let parameters: Parameters

    public init(parameters: Parameters = .default) {
        self.parameters = parameters
    }

    /// Hashes `password` with a fresh random salt; returns the encoded string.
    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltByteCount)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let derived = try derive(password, salt: salt, parameters: parameters)
        return "scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$"
            + Base64URL.encode(salt) + "$" + Base64URL.encode(derived)
    }

    /// True when `password` matches `encoded`. Malformed or unknown encodings are `false`
    /// (after doing the same work as a real check, via `fakeVerify`).
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = Self.parse(encoded) else {
            fakeVerify(password)
            return false
        }
        guard let derived = try? derive(password, salt: stored.salt, parameters: stored.parameters) else {
            return false
        }
        return Self.constantTimeEqual(derived, stored.hash)
    }

    /// Does the work of one verification and discards it, so that a login for an unknown
    /// username takes as long as one with a wrong password.
    public func fakeVerify(_ password: String) {
        _ = try? derive(password, salt: [UInt8](repeating: 0x5A, count: Self.saltByteCount), parameters: parameters)
    }

    /// True when `encoded` was made with other parameters than `parameters` (or is not
    /// ours): rehash after the next successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        Self.parse(encoded)?.parameters != parameters
    }

    // MARK: Internals

    private func derive(_ password: String, salt: [UInt8], parameters: Parameters) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: Self.hashByteCount,
            rounds: 1 << parameters.logN, blockSize: parameters.r, parallelism: parameters.p)
        return key.withUnsafeBytes { Array($0) }
    }

    static func parse(_ encoded: String) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "scrypt" else { return nil }
        var values: [Substring: Int] = [:]
        for pair in parts[1].split(separator: ",") {
            let keyValue = pair.split(separator: "=")
            guard keyValue.count == 2, let value = Int(keyValue[1]) else { return nil }
            values[keyValue[0]] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"],
              let salt = Base64URL.decode(parts[2]), let hash = Base64URL.decode(parts[3]),
              !salt.isEmpty, hash.count == hashByteCount
        else { return nil }
        let parameters = Parameters(logN: logN, r: r, p: p)
        guard parameters.isSane else { return nil }
        return (parameters, salt, hash)
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

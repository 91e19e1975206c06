import Foundation
import StreamLyStore

/// Small helpers shared by the store tests.
enum Fixtures {
    /// A 32-byte HMAC key for tests.
    static let signingKey = Array("streamly-test-signing-key-0123456789abcdef".utf8)

    /// Cheap scrypt parameters so tests that only need *a* hash stay fast
    /// (the default parameters are exercised and timed in PasswordHasherTests).
    static let fastHasher = PasswordHasher(parameters: .init(logN: 10, r: 8, p: 1))

    /// Inserts a user with a throwaway hash.
    static func user(_ name: String, in database: Database) async throws -> User {
        try await UserStore(database: database).create(username: name, passwordHash: "scrypt$test")
    }
}

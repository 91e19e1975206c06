import Foundation
import StreamLyStore
import Testing

@Suite("PasswordHasher")
struct PasswordHasherTests {
    @Test("default parameters: right password verifies, wrong does not; timing printed")
    func defaultParameters() throws {
        let hasher = PasswordHasher()
        let clock = ContinuousClock()
        var encoded = ""
        let hashTime = try clock.measure { encoded = try hasher.hash("correct horse battery staple") }
        #expect(encoded.hasPrefix("scrypt$ln=15,r=8,p=1$"))
        #expect(encoded.split(separator: "$").count == 4)
        var ok = false
        let verifyTime = clock.measure { ok = hasher.verify("correct horse battery staple", against: encoded) }
        #expect(ok)
        #expect(!hasher.verify("correct horse battery stapl", against: encoded))
        let fakeTime = clock.measure { hasher.fakeVerify("whatever password") }
        print("scrypt N=2^15 r=8 p=1: hash \(hashTime), verify \(verifyTime), fake verify \(fakeTime)")
        #expect(!hasher.needsRehash(encoded))
    }

    @Test("salts are random; parameters travel with the hash")
    func saltsAndParameters() throws {
        let fast = Fixtures.fastHasher
        let a = try fast.hash("password1"), b = try fast.hash("password1")
        #expect(a != b)
        #expect(fast.verify("password1", against: a) && fast.verify("password1", against: b))
        // A default-parameter hasher still verifies a hash made with other parameters …
        #expect(PasswordHasher().verify("password1", against: a))
        // … and says it should be upgraded.
        #expect(PasswordHasher().needsRehash(a))
    }

    @Test("malformed or foreign encodings never verify", arguments: [
        "", "scrypt", "scrypt$ln=15,r=8,p=1$$", "bcrypt$2b$12$abc",
        "scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "scrypt$ln=10,r=8,p=1$!!!$AAAA",
    ])
    func malformed(encoded: String) {
        #expect(!Fixtures.fastHasher.verify("password1", against: encoded))
    }
}

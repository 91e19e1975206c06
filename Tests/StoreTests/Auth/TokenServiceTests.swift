import Crypto
import Foundation
import JWTKit
import StreamLyStore
import Testing

@Suite("TokenService access tokens")
struct AccessTokenTests {
    /// Access tokens touch no table, so a pool that is never run is enough.
    static func service(key: [UInt8] = Fixtures.signingKey, lifetime: Duration = .seconds(900)) async throws -> TokenService {
        let database = Database(configuration: try TestDatabase.baseURL().clientConfiguration(), logger: TestDatabase.logger)
        return try await TokenService(
            configuration: .init(signingKey: key, accessTokenLifetime: lifetime), database: database)
    }

    @Test("a fresh token verifies and carries sub, name, iss, iat, exp, jti")
    func roundTrip() async throws {
        let tokens = try await Self.service()
        let userID = UUID()
        let now = Date()
        let (token, issued) = try await tokens.issueAccessToken(userID: userID, username: "alice", now: now)
        let claims = try await tokens.verify(token)
        #expect(claims == issued)
        #expect(claims.userID == userID && claims.username == "alice" && claims.iss.value == "streamly")
        #expect(abs(claims.expiresAt.timeIntervalSince(now) - 900) < 1)
        #expect(UUID(uuidString: claims.jti.value) != nil)
        let header = try #require(String(token.split(separator: ".")[0]).base64URLJSON)
        #expect(header["alg"] as? String == "HS256")
        let payload = try #require(String(token.split(separator: ".")[1]).base64URLJSON)
        #expect(payload["exp"] as? Int == Int(now.timeIntervalSince1970) + 900, "NumericDate in whole seconds")
    }

    @Test("an expired token is token_expired")
    func expired() async throws {
        let tokens = try await Self.service()
        let (token, _) = try await tokens.issueAccessToken(
            userID: UUID(), username: "alice", now: Date().addingTimeInterval(-3600))
        let error = await #expect(throws: StoreError.self) { try await tokens.verify(token) }
        #expect(error?.code == .tokenExpired)
        // Still valid at a time before its expiry.
        _ = try await tokens.verify(token, now: Date().addingTimeInterval(-3000))
    }

    @Test("a token signed with another key is invalid_token")
    func wrongKey() async throws {
        let other = try await Self.service(key: Array(repeating: 7, count: 32))
        let (token, _) = try await other.issueAccessToken(userID: UUID(), username: "mallory")
        let error = await #expect(throws: StoreError.self) { try await Self.service().verify(token) }
        #expect(error?.code == .invalidToken)
    }

    @Test("alg none (unsigned) and other algorithms are invalid_token")
    func algNone() async throws {
        let tokens = try await Self.service()
        let (token, _) = try await tokens.issueAccessToken(userID: UUID(), username: "alice")
        let parts = token.split(separator: ".")
        for alg in ["none", "None", "HS512", "RS256"] {
            let header = Self.base64URL(Data("{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}".utf8))
            for signature in ["", String(parts[2])] {
                let forged = "\(header).\(parts[1]).\(signature)"
                let error = await #expect(throws: StoreError.self) { try await tokens.verify(forged) }
                #expect(error?.code == .invalidToken, "alg \(alg)")
            }
        }
        // A header without alg at all.
        let noAlg = "\(Self.base64URL(Data("{\"typ\":\"JWT\"}".utf8))).\(parts[1]).\(parts[2])"
        await #expect(throws: StoreError(.invalidToken, "unsupported token algorithm")) { try await tokens.verify(noAlg) }
    }

    @Test("garbage is invalid_token", arguments: [
        "", "abc", "a.b", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30.", "eyJhbGciOiJIUzI1NiJ9.!!!.AAAA",
    ])
    func garbage(token: String) async throws {
        let error = await #expect(throws: StoreError.self) { try await Self.service().verify(token) }
        #expect(error?.code == .invalidToken)
    }

    @Test("a tampered payload fails the signature check")
    func tampered() async throws {
        let tokens = try await Self.service()
        let (token, _) = try await tokens.issueAccessToken(userID: UUID(), username: "alice")
        let parts = token.split(separator: ".")
        let payload = Self.base64URL(Data("{\"sub\":\"\(UUID().uuidString)\",\"name\":\"admin\",\"iat\":1,\"exp\":9999999999,\"iss\":\"streamly\",\"jti\":\"x\"}".utf8))
        let error = await #expect(throws: StoreError.self) { try await tokens.verify("\(parts[0]).\(payload).\(parts[2])") }
        #expect(error?.code == .invalidToken)
    }

    @Test("signing keys shorter than 32 bytes are refused")
    func shortKey() async throws {
        let error = await #expect(throws: StoreError.self) { try await Self.service(key: Array(repeating: 1, count: 31)) }
        #expect(error?.code == .configuration)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension String {
    /// Decodes a base64url JSON object (test helper).
    var base64URLJSON: [String: Any]? {
        var base64 = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}

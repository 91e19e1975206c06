import Foundation
import StreamLyStore
import Testing

@Suite("TokenService refresh tokens")
struct RefreshTokenTests {
    static func service(_ database: Database, lifetime: Duration = .seconds(30 * 24 * 3600)) async throws -> TokenService {
        try await TokenService(configuration: .init(signingKey: Fixtures.signingKey, refreshTokenLifetime: lifetime),
                               database: database)
    }

    @Test("rotation hands out a new token and retires the old; only hashes are stored")
    func rotation() async throws {
        try await TestDatabase.withFresh { database in
            let tokens = try await Self.service(database)
            let alice = try await Fixtures.user("alice", in: database)
            let first = try await tokens.issueRefresh(userID: alice.id)
            #expect(first.token.utf8.count == 43)
            let second = try await tokens.rotate(first.token)
            #expect(second.userID == alice.id && second.familyID == first.familyID && second.token != first.token)
            let third = try await tokens.rotate(second.token)
            #expect(third.familyID == first.familyID)

            let rows = try await database.client.query(
                "SELECT encode(token_hash, 'base64') FROM refresh_tokens", logger: database.logger)
            var stored: [String] = []
            for try await hash in rows.decode(String.self) { stored.append(hash) }
            #expect(stored.count == 3)
            #expect(!stored.contains { $0.contains(first.token) || first.token.contains($0) })
        }
    }

    @Test("reusing a rotated token revokes the whole family")
    func reuseRevokesFamily() async throws {
        try await TestDatabase.withFresh { database in
            let tokens = try await Self.service(database)
            let alice = try await Fixtures.user("alice", in: database)
            let stolen = try await tokens.issueRefresh(userID: alice.id)
            let otherDevice = try await tokens.issueRefresh(userID: alice.id)
            let legit = try await tokens.rotate(stolen.token)

            let reuse = await #expect(throws: StoreError.self) { try await tokens.rotate(stolen.token) }
            #expect(reuse?.code == .refreshTokenReused)
            // The legitimate successor died with the family …
            let killed = await #expect(throws: StoreError.self) { try await tokens.rotate(legit.token) }
            #expect(killed?.code == .unauthorized)
            // … but another login's family is untouched.
            _ = try await tokens.rotate(otherDevice.token)
        }
    }

    @Test("unknown, malformed, expired and revoked tokens are unauthorized")
    func rejections() async throws {
        try await TestDatabase.withFresh { database in
            let tokens = try await Self.service(database, lifetime: .seconds(60))
            let alice = try await Fixtures.user("alice", in: database)
            for token in ["", "short", String(repeating: "A", count: 43), String(repeating: "!", count: 43)] {
                let error = await #expect(throws: StoreError.self) { try await tokens.rotate(token) }
                #expect(error?.code == .unauthorized)
            }
            let old = try await tokens.issueRefresh(userID: alice.id, now: Date().addingTimeInterval(-120))
            let expired = await #expect(throws: StoreError.self) { try await tokens.rotate(old.token) }
            #expect(expired?.code == .unauthorized)

            let a = try await tokens.issueRefresh(userID: alice.id)
            let b = try await tokens.issueRefresh(userID: alice.id)
            #expect(try await tokens.revokeAll(userID: alice.id) == 3)
            for token in [a.token, b.token] {
                let error = await #expect(throws: StoreError.self) { try await tokens.rotate(token) }
                #expect(error?.code == .unauthorized)
            }
            #expect(try await tokens.revokeAll(userID: alice.id) == 0)
        }
    }

    @Test("two concurrent rotations of one token: one wins, the other is treated as reuse")
    func concurrentRotation() async throws {
        try await TestDatabase.withFresh { database in
            let tokens = try await Self.service(database)
            let alice = try await Fixtures.user("alice", in: database)
            let grant = try await tokens.issueRefresh(userID: alice.id)
            async let one = Result<RefreshGrant, any Error>(awaiting: { try await tokens.rotate(grant.token) })
            async let two = Result<RefreshGrant, any Error>(awaiting: { try await tokens.rotate(grant.token) })
            let results = await [one, two]
            let winners = results.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            let codes = results.compactMap { result -> StoreError.Code? in
                if case .failure(let error as StoreError) = result { return error.code }
                return nil
            }
            #expect(codes == [.refreshTokenReused])
        }
    }
}

extension Result where Failure == any Error {
    /// Captures an async throwing call (test helper).
    init(awaiting body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

import Foundation
import StreamLyStore
import Testing

@Suite("AccountService")
struct AccountServiceTests {
    static func accounts(_ database: Database) async throws -> AccountService {
        let tokens = try await TokenService(configuration: .init(signingKey: Fixtures.signingKey), database: database)
        return AccountService(users: UserStore(database: database), tokens: tokens, hasher: Fixtures.fastHasher)
    }

    @Test("signup, login, refresh: the contract's shapes, tokens that verify")
    func happyPath() async throws {
        try await TestDatabase.withFresh { database in
            let accounts = try await Self.accounts(database)
            let signup = try await accounts.signup(username: "Alice", password: "s3cret-pass")
            #expect(signup.user.username == "alice")
            #expect(try await accounts.tokens.verify(signup.accessToken).userID == signup.user.id)

            let login = try await accounts.login(username: "ALICE", password: "s3cret-pass")
            #expect(login.user == signup.user && login.refreshToken != signup.refreshToken)

            let refreshed = try await accounts.refresh(refreshToken: login.refreshToken)
            #expect(refreshed.user == signup.user)
            #expect(try await accounts.tokens.verify(refreshed.accessToken).username == "alice")

            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(refreshed)) as? [String: Any]
            #expect(Set(json?.keys ?? [:].keys) == ["user", "access_token", "refresh_token"])
            let user = json?["user"] as? [String: Any]
            #expect(user?["username"] as? String == "alice" && user?["id"] as? String != nil)
        }
    }

    @Test("wrong password and unknown user give the same unauthorized answer")
    func loginFailures() async throws {
        try await TestDatabase.withFresh { database in
            let accounts = try await Self.accounts(database)
            _ = try await accounts.signup(username: "bob", password: "password-1")
            let wrong = await #expect(throws: StoreError.self) { try await accounts.login(username: "bob", password: "password-2") }
            let unknown = await #expect(throws: StoreError.self) { try await accounts.login(username: "nobody", password: "password-1") }
            #expect(wrong != nil && wrong == unknown)
            #expect(wrong?.code == .unauthorized)
        }
    }

    @Test("signup validates input and refuses taken names")
    func signupRules() async throws {
        try await TestDatabase.withFresh { database in
            let accounts = try await Self.accounts(database)
            for (name, password) in [("carol", "short"), ("carol", String(repeating: "p", count: 257)), ("c", "long-enough")] {
                let error = await #expect(throws: StoreError.self) { try await accounts.signup(username: name, password: password) }
                #expect(error?.code == .invalidInput)
            }
            _ = try await accounts.signup(username: "carol", password: String(repeating: "p", count: 256))
            let taken = await #expect(throws: StoreError.self) { try await accounts.signup(username: "Carol", password: "password") }
            #expect(taken?.code == .conflict)
        }
    }

    @Test("a login with old hash parameters upgrades the stored hash")
    func rehashOnLogin() async throws {
        try await TestDatabase.withFresh { database in
            let users = UserStore(database: database)
            let weak = PasswordHasher(parameters: .init(logN: 10, r: 4, p: 1))
            _ = try await users.create(username: "dave", passwordHash: try weak.hash("password-1"))
            _ = try await Self.accounts(database).login(username: "dave", password: "password-1")
            let stored = try #require(try await users.credentials(username: "dave")).passwordHash
            #expect(stored.hasPrefix("scrypt$ln=10,r=8,p=1$"))
        }
    }
}

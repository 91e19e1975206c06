import Foundation
import StreamLyStore
import Testing

@Suite("UserStore")
struct UserStoreTests {
    @Test("create, then find by id and case-insensitively by username")
    func createAndFind() async throws {
        try await TestDatabase.withFresh { database in
            let users = UserStore(database: database)
            let alice = try await users.create(username: "Alice.B-1_", passwordHash: "h")
            #expect(alice.username == "alice.b-1_")
            #expect(try await users.find(id: alice.id) == alice)
            #expect(try await users.find(username: "ALICE.b-1_") == alice)
            #expect(try await users.find(username: "nobody") == nil)
            #expect(try await users.find(username: "bad name!") == nil)
            #expect(try await users.credentials(username: "alice.b-1_")?.passwordHash == "h")
        }
    }

    @Test("a taken username is a conflict, whatever its case")
    func duplicateIsConflict() async throws {
        try await TestDatabase.withFresh { database in
            let users = UserStore(database: database)
            _ = try await users.create(username: "bob", passwordHash: "h")
            for name in ["bob", "BOB", "Bob"] {
                let error = await #expect(throws: StoreError.self) {
                    try await users.create(username: name, passwordHash: "h")
                }
                #expect(error?.code == .conflict)
            }
        }
    }

    @Test("usernames must be 3-32 characters of a-z 0-9 _ . -", arguments: [
        "ab", String(repeating: "a", count: 33), "has space", "émile", "semi;colon", "",
    ])
    func invalidUsernames(name: String) async throws {
        #expect(throws: StoreError(.invalidInput, "username must be 3-32 characters of a-z, 0-9, '_', '.', '-'")) {
            try Validate.username(name)
        }
    }
}

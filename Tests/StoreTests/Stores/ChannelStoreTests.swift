import Foundation
import StreamLyStore
import Testing

@Suite("ChannelStore")
struct ChannelStoreTests {
    @Test("public channels are visible and writable by all; private ones by members only")
    func visibilityAndAccess() async throws {
        try await TestDatabase.withFresh { database in
            let channels = ChannelStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let bob = try await Fixtures.user("bob", in: database)
            let carol = try await Fixtures.user("carol", in: database)

            let lobby = try await channels.create(name: "  lobby ", isPrivate: false, creatorID: alice.id)
            let secret = try await channels.create(name: "secret", isPrivate: true, creatorID: alice.id)
            #expect(lobby.name == "lobby" && lobby.kind == .public && !lobby.isPrivate && lobby.lastSeq == 0)
            #expect(secret.kind == .private && secret.isPrivate)

            #expect(try await channels.visibleChannels(userID: alice.id).map(\.id) == [lobby.id, secret.id])
            #expect(try await channels.visibleChannels(userID: bob.id).map(\.id) == [lobby.id])

            #expect(try await channels.access(userID: bob.id, channelID: lobby.id) == .write)
            #expect(try await channels.access(userID: alice.id, channelID: secret.id) == .write)
            #expect(try await channels.access(userID: bob.id, channelID: secret.id) == .none)
            #expect(try await channels.access(userID: bob.id, channelID: UUID()) == .none)

            // Non-members cannot add anyone, themselves included: to them the channel does not exist.
            let denied = await #expect(throws: StoreError.self) {
                try await channels.addMember(channelID: secret.id, userID: bob.id, actorID: bob.id)
            }
            #expect(denied?.code == .notFound)

            // A member may add; then the new member may add others.
            #expect(try await channels.addMember(channelID: secret.id, userID: bob.id, actorID: alice.id))
            #expect(try await !channels.addMember(channelID: secret.id, userID: bob.id, actorID: alice.id))
            #expect(try await channels.access(userID: bob.id, channelID: secret.id) == .write)
            #expect(try await channels.addMember(channelID: secret.id, userID: carol.id, actorID: bob.id))
            #expect(try await channels.visibleChannels(userID: carol.id).map(\.id) == [lobby.id, secret.id])
            #expect(Set(try await channels.memberIDs(channelID: secret.id)) == [alice.id, bob.id, carol.id])

            // Anyone may join a public channel.
            #expect(try await channels.join(channelID: lobby.id, userID: carol.id))
        }
    }

    @Test("adding to unknown channels or unknown users is not found")
    func notFound() async throws {
        try await TestDatabase.withFresh { database in
            let channels = ChannelStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let lobby = try await channels.create(name: "lobby", isPrivate: false, creatorID: alice.id)
            let noChannel = await #expect(throws: StoreError.self) {
                try await channels.addMember(channelID: UUID(), userID: alice.id, actorID: alice.id)
            }
            #expect(noChannel?.code == .notFound)
            let noUser = await #expect(throws: StoreError.self) {
                try await channels.addMember(channelID: lobby.id, userID: UUID(), actorID: alice.id)
            }
            #expect(noUser?.code == .notFound)
            let noCreator = await #expect(throws: StoreError.self) {
                try await channels.create(name: "x", isPrivate: false, creatorID: UUID())
            }
            #expect(noCreator?.code == .notFound)
            let badName = await #expect(throws: StoreError.self) {
                try await channels.create(name: "   ", isPrivate: false, creatorID: alice.id)
            }
            #expect(badName?.code == .invalidInput)
        }
    }

    @Test("a direct channel is unique per pair, private to the pair, and closed")
    func directChannels() async throws {
        try await TestDatabase.withFresh(maximumConnections: 6) { database in
            let channels = ChannelStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let bob = try await Fixtures.user("bob", in: database)
            let carol = try await Fixtures.user("carol", in: database)

            // Racing opens from both sides end up with one channel.
            let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        index.isMultiple(of: 2)
                            ? try await channels.openDirect(between: alice.id, and: bob.id).id
                            : try await channels.openDirect(between: bob.id, and: alice.id).id
                    }
                }
                var ids: Set<UUID> = []
                for try await id in group { ids.insert(id) }
                return ids
            }
            #expect(ids.count == 1)
            let directID = try #require(ids.first)
            let direct = try #require(try await channels.find(id: directID))
            #expect(direct.kind == .direct && direct.name == "alice,bob")
            #expect(Set(try await channels.memberIDs(channelID: direct.id)) == [alice.id, bob.id])
            #expect(try await channels.access(userID: bob.id, channelID: direct.id) == .write)
            #expect(try await channels.access(userID: carol.id, channelID: direct.id) == .none)
            #expect(try await channels.visibleChannels(userID: carol.id).isEmpty)

            let closed = await #expect(throws: StoreError.self) {
                try await channels.addMember(channelID: direct.id, userID: carol.id, actorID: alice.id)
            }
            #expect(closed?.code == .forbidden)
            let invisible = await #expect(throws: StoreError.self) {
                try await channels.addMember(channelID: direct.id, userID: carol.id, actorID: carol.id)
            }
            #expect(invisible?.code == .notFound)
            let selfDirect = await #expect(throws: StoreError.self) {
                try await channels.openDirect(between: alice.id, and: alice.id)
            }
            #expect(selfDirect?.code == .invalidInput)
            let ghost = await #expect(throws: StoreError.self) {
                try await channels.openDirect(between: alice.id, and: UUID())
            }
            #expect(ghost?.code == .notFound)
            #expect(try await channels.openDirect(between: alice.id, and: carol.id).id != direct.id)
        }
    }
}

import Foundation
import StreamLyStore
import Testing

@Suite("MessageStore")
struct MessageStoreTests {
    @Test("8 concurrent publishers x 50 messages get seqs exactly 1...400")
    func concurrentAppendsAreGapless() async throws {
        try await TestDatabase.withFresh(maximumConnections: 8) { database in
            let messages = MessageStore(database: database)
            let author = try await Fixtures.user("writer", in: database)
            let channel = try await ChannelStore(database: database)
                .create(name: "busy", isPrivate: false, creatorID: author.id)
            let started = ContinuousClock.now
            let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var seqs: [Int64] = []
                        for index in 0..<50 {
                            let result = try await messages.append(
                                channelID: channel.id, authorID: author.id,
                                clientID: "t\(task)-m\(index)", body: "message \(index) from \(task)")
                            #expect(!result.duplicate)
                            seqs.append(result.seq)
                        }
                        #expect(seqs == seqs.sorted(), "one publisher's messages keep their order")
                        return seqs
                    }
                }
                var all: [Int64] = []
                for try await seqs in group { all += seqs }
                return all
            }
            print("400 concurrent appends took \(ContinuousClock.now - started)")
            #expect(seqs.sorted() == Array(1...400))
            #expect(try await messages.lastSeq(channelID: channel.id) == 400)
            let stored = try await messages.history(channelID: channel.id, after: 0, limit: 500)
            #expect(stored.map(\.seq) == Array(1...400))
            #expect(Set(stored.map(\.clientID)).count == 400)
        }
    }

    @Test("retrying a client_id returns the original seq with duplicate=true")
    func retriesAreDeduplicated() async throws {
        try await TestDatabase.withFresh { database in
            let messages = MessageStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let bob = try await Fixtures.user("bob", in: database)
            let channel = try await ChannelStore(database: database)
                .create(name: "c", isPrivate: false, creatorID: alice.id)
            let attachment = MessageAttachment(id: UUID(), filename: "a.png", contentType: "image/png", size: 42)

            let first = try await messages.append(channelID: channel.id, authorID: alice.id, clientID: "x1",
                                                  body: "hi", attachments: [attachment])
            let retry = try await messages.append(channelID: channel.id, authorID: alice.id, clientID: "x1",
                                                  body: "hi (retried)")
            #expect(first.seq == 1 && !first.duplicate)
            #expect(retry.duplicate && retry.seq == first.seq && retry.id == first.id)
            #expect(abs(retry.createdAt.timeIntervalSince(first.createdAt)) < 0.001)

            // The key is per author: bob's "x1" is a new message, and no seq was burnt.
            let other = try await messages.append(channelID: channel.id, authorID: bob.id, clientID: "x1", body: "yo")
            #expect(other.seq == 2 && !other.duplicate)

            let stored = try await messages.history(channelID: channel.id)
            #expect(stored.map(\.body) == ["hi", "yo"])
            #expect(stored.first?.attachments == [attachment])
            #expect(stored.first?.authorID == alice.id)
        }
    }

    @Test("the same client_id appended by 8 concurrent retries: one message, one seq, no gap")
    func concurrentRetriesAreDeduplicated() async throws {
        try await TestDatabase.withFresh(maximumConnections: 8) { database in
            let messages = MessageStore(database: database)
            let author = try await Fixtures.user("retrier", in: database)
            let channel = try await ChannelStore(database: database)
                .create(name: "retries", isPrivate: false, creatorID: author.id)
            for round in 1...10 {
                let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await messages.append(channelID: channel.id, authorID: author.id,
                                                      clientID: "r\(round)", body: "round \(round)")
                        }
                    }
                    var results: [AppendResult] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                #expect(Set(results.map(\.seq)) == [Int64(round)], "every retry gets the one seq")
                #expect(results.filter { !$0.duplicate }.count == 1, "exactly one append wrote")
            }
            let stored = try await messages.history(channelID: channel.id, after: 0, limit: 50)
            #expect(stored.map(\.seq) == Array(1...10))
        }
    }

    @Test("bad input and unknown channels are refused")
    func refusals() async throws {
        try await TestDatabase.withFresh { database in
            let messages = MessageStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let channel = try await ChannelStore(database: database)
                .create(name: "c", isPrivate: false, creatorID: alice.id)
            for (clientID, body) in [("", "b"), ("ok", ""), ("ok", String(repeating: "x", count: 16 * 1024 + 1)),
                                     ("ok", "poison\u{0}body"), ("poison\u{0}id", "b")] {
                let error = await #expect(throws: StoreError.self) {
                    try await messages.append(channelID: channel.id, authorID: alice.id, clientID: clientID, body: body)
                }
                #expect(error?.code == .invalidInput)
            }
            let noChannel = await #expect(throws: StoreError.self) {
                try await messages.append(channelID: UUID(), authorID: alice.id, clientID: "a", body: "b")
            }
            #expect(noChannel?.code == .notFound)
            let noAuthor = await #expect(throws: StoreError.self) {
                try await messages.append(channelID: channel.id, authorID: UUID(), clientID: "a", body: "b")
            }
            #expect(noAuthor?.code == .notFound)
            #expect(try await messages.lastSeq(channelID: channel.id) == 0)
            await #expect(throws: StoreError.self) { try await messages.lastSeq(channelID: UUID()) }
        }
    }

    @Test("PostgreSQL's refusals of what a statement carries are told apart from outages")
    func permanentStatementErrors() async throws {
        try await TestDatabase.withFresh { database in
            let poison = "poison\u{0}"
            let refused = await #expect(throws: (any Error).self) {
                _ = try await database.client.query("SELECT \(poison)::text", logger: database.logger).collect()
            }
            #expect(refused?.isPermanentStatementError == true, "U+0000 in text (22021) can never be stored: \(String(reflecting: refused))")
            #expect(!(CancellationError() as any Error).isPermanentStatementError)
        }
    }

    @Test("history pages forward with after, backward with before, in seq order, limit clamped")
    func historyPaging() async throws {
        try await TestDatabase.withFresh { database in
            let messages = MessageStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let channel = try await ChannelStore(database: database)
                .create(name: "c", isPrivate: false, creatorID: alice.id)
            for index in 1...20 {
                _ = try await messages.append(channelID: channel.id, authorID: alice.id, clientID: "m\(index)", body: "\(index)")
            }
            func seqs(after: Int64? = nil, before: Int64? = nil, limit: Int = 50) async throws -> [Int64] {
                try await messages.history(channelID: channel.id, after: after, before: before, limit: limit).map(\.seq)
            }
            #expect(try await seqs() == Array(1...20))
            #expect(try await seqs(limit: 5) == Array(16...20))               // newest page
            #expect(try await seqs(after: 5, limit: 3) == [6, 7, 8])          // forward
            #expect(try await seqs(after: 18) == [19, 20])
            #expect(try await seqs(after: 20) == [])
            #expect(try await seqs(before: 6, limit: 3) == [3, 4, 5])         // backward
            #expect(try await seqs(before: 3) == [1, 2])
            #expect(try await seqs(after: 4, before: 9) == [5, 6, 7, 8])      // window
            #expect(try await seqs(after: 4, before: 9, limit: 2) == [5, 6])
            #expect(try await seqs(limit: 0) == [20])                          // clamped up to 1
            #expect(try await seqs(after: 0, limit: 10_000).count == 20)        // clamped down to 500
            #expect(try await messages.history(channelID: channel.id, after: 0, limit: 1).first?.body == "1")
            await #expect(throws: StoreError.self) { try await seqs(after: -1) }
        }
    }
}

import Foundation
import StreamLyStore
import Testing

@Suite("EdgeStore")
struct EdgeStoreTests {
    @Test("announcements are live until their expiry; every announcement answers every live edge")
    func announceAndExpire() async throws {
        try await TestDatabase.withFresh { database in
            let edges = EdgeStore(database: database)
            let first = try await edges.announce(id: "b", region: "us", record: #"{"id":"b"}"#, calls: ["c1"], ttlMS: 60_000)
            #expect(first.map(\.id) == ["b"])
            #expect(first[0].expiresInMS > 50_000 && first[0].expiresInMS <= 60_000)
            // A short-lived one: seen at once, gone once its time is up.
            let both = try await edges.announce(id: "a", region: "eu", record: #"{"id":"a"}"#, calls: ["c1", "c2"], ttlMS: 1_000)
            #expect(both.map(\.id) == ["a", "b"])
            #expect(both.first { $0.id == "a" }?.record == #"{"id":"a"}"#)
            #expect(try await edges.live(hosting: "c1").map(\.id) == ["a", "b"])
            #expect(try await edges.live(hosting: "c2").map(\.id) == ["a"])
            #expect(try await edges.live(hosting: "c3").isEmpty)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await edges.live().map(\.id) != ["b"] {
                #expect(ContinuousClock.now < deadline, "edge a never expired")
                if ContinuousClock.now >= deadline { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await edges.live(hosting: "c2").isEmpty)
            // Announcing again brings it back, with its new record and calls.
            let again = try await edges.announce(id: "a", region: "eu", record: #"{"id":"a","v":2}"#, calls: [], ttlMS: 60_000)
            #expect(again.map(\.id) == ["a", "b"])
            #expect(again.first { $0.id == "a" }?.record == #"{"id":"a","v":2}"#)
            #expect(try await edges.live(hosting: "c1").map(\.id) == ["b"])
        }
    }

    @Test("a withdrawn edge is gone at once")
    func withdraw() async throws {
        try await TestDatabase.withFresh { database in
            let edges = EdgeStore(database: database)
            _ = try await edges.announce(id: "a", region: "eu", record: "{}", calls: [], ttlMS: 60_000)
            _ = try await edges.announce(id: "b", region: "eu", record: "{}", calls: [], ttlMS: 60_000)
            #expect(try await edges.withdraw(id: "a"))
            #expect(try await !edges.withdraw(id: "a"))
            #expect(try await edges.live().map(\.id) == ["b"])
        }
    }
}

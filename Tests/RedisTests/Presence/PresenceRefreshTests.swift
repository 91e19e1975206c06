import Foundation
import Logging
import StreamLyRedis
import Testing
@testable import StreamLyEdge

extension RealRedis {
    @Suite struct PresenceRefreshTests {
        /// The score (expiry, ms) of `member` in the sorted set `key`.
        static func score(_ redis: RedisClient, _ key: String, _ member: String) async throws -> Double? {
            try await redis.send(["ZSCORE", key, member]).bulkBytes().flatMap { Double(String(decoding: $0, as: UTF8.self)) }
        }

        @Test("a refresh pushes every registration's expiry forward, in the shared set and in each user's, past one command's batch")
        func refreshMovesEveryExpiry() async throws {
            let edge = "refresh-\(UUID().uuidString.prefix(8))"
            // Two connections for each user, more than one batch of the users' sets.
            let users = (0..<(RedisPresence.refreshBatch / 2 + 40)).map { "\(edge)-user\($0)" }
            let sessions = users.indices.flatMap { [(UInt64(2 * $0), users[$0]), (UInt64(2 * $0 + 1), users[$0])] }
            #expect(sessions.count > RedisPresence.refreshBatch)
            let subscriber = RedisSubscriber(configuration: try RedisTestSupport.configuration(nil))
            try await RedisTestSupport.withClient { redis in
                let presence = RedisPresence(redis: redis, subscriber: subscriber, edgeID: edge, hub: ChatHub { _, _, _ in nil },
                                             logger: Logger(label: "test"))
                for (session, user) in sessions {
                    await presence.connected(session: session, user: VerifiedUser(id: user, name: user, expiresAt: .infinity))
                }
                let members = sessions.map { "\($0.1)|\(edge)|\($0.0)" }
                var before: [String: (shared: Double, user: Double)] = [:]
                for (member, (_, user)) in zip(members, sessions) {
                    before[member] = (try #require(try await Self.score(redis, RedisPresence.connectionsKey, member)),
                                      try #require(try await Self.score(redis, RedisPresence.userKey(user), member)))
                }
                try await Task.sleep(for: .milliseconds(20))
                try await presence.refresh()
                for (member, (_, user)) in zip(members, sessions) {
                    let old = try #require(before[member])
                    let shared = try #require(try await Self.score(redis, RedisPresence.connectionsKey, member))
                    let own = try #require(try await Self.score(redis, RedisPresence.userKey(user), member))
                    #expect(shared > old.shared, "\(member) in the shared set")
                    #expect(own > old.user, "\(member) in its user's set")
                    #expect(own == shared)
                }
                // Only this edge's registrations: take them out again.
                _ = try await redis.zrem(RedisPresence.connectionsKey, members)
                _ = try await redis.del(users.map { RedisPresence.userKey($0) } + users.map { RedisPresence.statusKey($0) })
            }
        }
    }
}

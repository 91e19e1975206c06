import Foundation
import Logging
import NIOCore
import StreamLyRedis
import Synchronization

/// Presence and typing shared by all edges through Redis (docs/api.md, "Presence").
///
/// Every authenticated connection is registered in the sorted set
/// `streamly:presence:conns` (member `user|edge|session`, score = expiry in ms) and in
/// `streamly:presence:user:<id>`; edges refresh their registrations every
/// `heartbeat` and sweep expired ones every `sweep`, so the users of a crashed edge
/// go offline within `ttl + sweep`. Transitions (a user's first connection, last one
/// gone) are published on `streamly:presence` with the channels the user subscribed
/// to; typing on `streamly:typing`. Every edge delivers them to its local subscribers.
final class RedisPresence: PresenceTracker {
    struct Timing: Sendable {
        var ttl: Duration = .seconds(15)
        var heartbeat: Duration = .seconds(5)
        var sweep: Duration = .seconds(2)
        /// Typing indicators expire after this; repeated typing within `typingThrottle` is not re-sent.
        var typingTTL: Duration = .seconds(5)
        var typingThrottle: Duration = .seconds(2)
    }

    static let presenceChannel = "streamly:presence"
    static let typingChannel = "streamly:typing"
    static let connectionsKey = "streamly:presence:conns"
    static func userKey(_ user: String) -> String { "streamly:presence:user:\(user)" }
    static func channelsKey(_ user: String) -> String { "streamly:user:\(user):channels" }

    let redis: RedisClient
    let subscriber: RedisSubscriber
    let edgeID: String
    let timing: Timing
    let hub: ChatHub
    let logger: Logger
    /// This edge's live registrations: member → user id.
    private let local = Mutex<[String: String]>([:])
    private let lastTyping = Mutex<[String: ContinuousClock.Instant]>([:])

    init(redis: RedisClient, subscriber: RedisSubscriber, edgeID: String, timing: Timing = Timing(), hub: ChatHub, logger: Logger) {
        self.redis = redis
        self.subscriber = subscriber
        self.edgeID = edgeID
        self.timing = timing
        self.hub = hub
        self.logger = logger
    }

    static func nowMilliseconds() -> Double { (Date().timeIntervalSince1970 * 1_000).rounded() }
    private func member(_ session: UInt64, _ user: String) -> String { "\(user)|\(edgeID)|\(session)" }
    private var ttlMilliseconds: Double { Double(timing.ttl.components.seconds) * 1_000 }

    // MARK: PresenceTracker

    func connected(session: UInt64, user: VerifiedUser) async {
        let member = member(session, user.id)
        local.withLock { $0[member] = user.id }
        do {
            let expiry = Self.nowMilliseconds() + ttlMilliseconds
            _ = try await redis.zadd(Self.connectionsKey, score: expiry, member: member)
            _ = try await redis.zadd(Self.userKey(user.id), score: expiry, member: member)
            if try await liveConnections(of: user.id) == 1 {
                try await announce(user: user.id, online: true, channels: nil)
            }
        } catch {
            logger.warning("presence: register failed", metadata: ["error": "\(error)"])
        }
    }

    func subscribed(user: VerifiedUser, channel: String) async {
        do {
            _ = try await redis.sadd(Self.channelsKey(user.id), [channel])
            _ = try await redis.expire(Self.channelsKey(user.id), seconds: 86_400)
            try await announce(user: user.id, online: true, channels: [channel])
        } catch {
            logger.warning("presence: subscribe bookkeeping failed", metadata: ["error": "\(error)"])
        }
    }

    func disconnected(session: UInt64, user: VerifiedUser) async {
        let member = member(session, user.id)
        local.withLock { _ = $0.removeValue(forKey: member) }
        do {
            _ = try await redis.zrem(Self.connectionsKey, [member])
            _ = try await redis.zrem(Self.userKey(user.id), [member])
            if try await liveConnections(of: user.id) == 0 {
                try await announce(user: user.id, online: false, channels: nil)
            }
        } catch {
            logger.warning("presence: unregister failed", metadata: ["error": "\(error)"])
        }
    }

    func typing(user: VerifiedUser, channel: String) async {
        let key = "\(user.id)|\(channel)"
        let now = ContinuousClock.now
        let throttled = lastTyping.withLock { last -> Bool in
            if let previous = last[key], now - previous < timing.typingThrottle { return true }
            last[key] = now
            if last.count > 10_000 { last = last.filter { now - $0.value < timing.typingThrottle } }
            return false
        }
        guard !throttled else { return }
        do {
            _ = try await redis.set("streamly:typing:\(channel):\(user.id)", "1", expiresIn: timing.typingTTL)
            _ = try await redis.publish(Self.typingChannel, Self.json(["channel": channel, "user": user.id]))
        } catch {
            logger.debug("presence: typing publish failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Background work

    /// Subscribes to presence/typing broadcasts, refreshes this edge's registrations
    /// and sweeps expired ones, until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.redis.run() }
            group.addTask { try? await self.subscriber.run() }
            group.addTask {
                try? await self.subscriber.subscribe([Self.presenceChannel, Self.typingChannel])
                for await event in self.subscriber.events {
                    if case .message(let message) = event { self.deliver(message.channel, message.payload) }
                }
            }
            group.addTask { await self.every(self.timing.heartbeat) { try await self.refresh() } }
            group.addTask { await self.every(self.timing.sweep) { try await self.sweepExpired() } }
            await group.next()
            group.cancelAll()
        }
    }

    /// Stops the Redis connections (ends `run`).
    func close() {
        redis.close()
        subscriber.close()
    }

    private func every(_ interval: Duration, _ work: () async throws -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do { try await work() } catch { logger.debug("presence: periodic work failed", metadata: ["error": "\(error)"]) }
        }
    }

    private func refresh() async throws {
        let mine = local.withLock { $0 }
        guard !mine.isEmpty else { return }
        let expiry = Self.nowMilliseconds() + ttlMilliseconds
        _ = try await redis.zadd(Self.connectionsKey, mine.keys.map { (score: expiry, member: $0 as any RedisArgumentConvertible) })
        for (member, user) in mine { _ = try await redis.zadd(Self.userKey(user), score: expiry, member: member) }
    }

    /// Removes registrations whose edge stopped refreshing them; whoever removes the
    /// last live connection of a user announces them offline.
    private func sweepExpired() async throws {
        let expired = try await redis.zrangebyscore(Self.connectionsKey, min: -.infinity, max: Self.nowMilliseconds(), limit: (0, 500))
        for raw in expired {
            let member = String(decoding: raw, as: UTF8.self)
            guard try await redis.zrem(Self.connectionsKey, [member]) == 1 else { continue }
            let user = String(member.split(separator: "|").first ?? "")
            _ = try await redis.zrem(Self.userKey(user), [member])
            if try await liveConnections(of: user) == 0 {
                try await announce(user: user, online: false, channels: nil)
            }
        }
    }

    /// Whether `user` has a live connection on any edge (false when Redis cannot tell).
    func isOnline(user: String) async -> Bool {
        ((try? await liveConnections(of: user)) ?? 0) > 0
    }

    private func liveConnections(of user: String) async throws -> Int64 {
        // `(N` is an exclusive bound (no closing parenthesis): registrations not yet expired.
        try await redis.send(["ZCOUNT", Self.userKey(user), "(\(Int64(Self.nowMilliseconds()))", "+inf"]).integer()
    }

    private func announce(user: String, online: Bool, channels: [String]?) async throws {
        let list: [String]
        if let channels {
            list = channels
        } else {
            list = try await redis.smembers(Self.channelsKey(user)).map { String(decoding: $0, as: UTF8.self) }
        }
        guard !list.isEmpty else { return }
        let payload = try JSONSerialization.data(withJSONObject: ["user": user, "status": online ? "online" : "offline", "channels": list])
        _ = try await redis.publish(Self.presenceChannel, Array(payload))
    }

    private static func json(_ object: [String: String]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// A broadcast from some edge: deliver to the local subscribers concerned.
    func deliver(_ channel: String, _ payload: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let user = object["user"] as? String else { return }
        if channel == Self.typingChannel, let chat = object["channel"] as? String {
            let event = GatewayEvents.typing(channel: chat, user: user,
                                             ttlMilliseconds: Int(timing.typingTTL.components.seconds) * 1_000)
            GatewaySession.send(hub.subscribers(of: chat).filter { $0.user?.id != user }.map { ($0, [event]) })
        } else if channel == Self.presenceChannel, let status = object["status"] as? String,
                  let channels = object["channels"] as? [String] {
            let event = GatewayEvents.presence(user: user, online: status == "online")
            var seen = Set<UInt64>()
            var sends: [(session: GatewaySession, texts: [ByteBuffer])] = []
            for chat in channels {
                for session in hub.subscribers(of: chat) where session.user?.id != user && seen.insert(session.id).inserted {
                    sends.append((session, [event]))
                }
            }
            GatewaySession.send(sends)
        }
    }
}

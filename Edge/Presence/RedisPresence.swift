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
/// go offline within `ttl + sweep`.
///
/// Only transitions are announced, never a state the others already know (no presence storm
/// when thousands connect or reconnect): the status each user was last announced with is kept
/// in `streamly:presence:status:<id>`, and one script compares it with the user's live
/// connections and swaps it atomically (`reconcile`), so two edges racing on one user's connect
/// and disconnect announce each change once. A user whose last connection closed is announced
/// offline only after `offlineGrace` and only if no connection came back meanwhile (a page
/// reload, a network blip, an edge restart whose clients reconnect elsewhere: nothing to tell).
/// A subscription announces the user online only to a channel new to the user's set (the
/// channels of the set got the transition itself). Announcements are batched for `batch` into
/// one `PUBLISH` on `streamly:presence` (`{"batch":[{user, status, channels}]}`); typing goes on
/// `streamly:typing`. Every edge delivers them to its local subscribers, each session's events
/// of one batch in one write.
final class RedisPresence: PresenceTracker {
    struct Timing: Sendable {
        var ttl: Duration = .seconds(15)
        var heartbeat: Duration = .seconds(5)
        var sweep: Duration = .seconds(2)
        /// Typing indicators expire after this; repeated typing within `typingThrottle` is not re-sent.
        var typingTTL: Duration = .seconds(5)
        var typingThrottle: Duration = .seconds(2)
        /// How long a user whose last connection closed stays online in others' eyes.
        var offlineGrace: Duration = .seconds(2)
        /// How long announcements are collected into one `PUBLISH`.
        var batch: Duration = .milliseconds(50)
        /// The most announcements in one `PUBLISH`.
        var batchLimit = 500
    }

    /// One user's status change for the channels it concerns.
    struct Announcement: Sendable {
        var user: String
        var online: Bool
        var channels: [String]
    }

    static let presenceChannel = "streamly:presence"
    static let typingChannel = "streamly:typing"
    static let connectionsKey = "streamly:presence:conns"
    static func userKey(_ user: String) -> String { "streamly:presence:user:\(user)" }
    static func channelsKey(_ user: String) -> String { "streamly:user:\(user):channels" }
    static func statusKey(_ user: String) -> String { "streamly:presence:status:\(user)" }

    /// KEYS[1] the user's connections, KEYS[2] their announced status; ARGV[1] now in ms.
    /// Sets the status the live connections say and returns it when it changed, else "".
    static let reconcileScript = """
        local live = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
        local status = 'offline'
        if live > 0 then status = 'online' end
        local previous = redis.call('SET', KEYS[2], status, 'GET', 'EX', 86400)
        if previous == status then return '' end
        return status
        """

    let redis: RedisClient
    let subscriber: RedisSubscriber
    let edgeID: String
    let timing: Timing
    let hub: ChatHub
    let logger: Logger
    /// This edge's live registrations: member → user id.
    private let local = Mutex<[String: String]>([:])
    private let lastTyping = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Announcements waiting for the next batch.
    private let outbox = Mutex<[Announcement]>([])

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
            try await reconcile(user: user.id)
        } catch {
            logger.warning("presence: register failed", metadata: ["error": "\(error)"])
        }
    }

    func subscribed(user: VerifiedUser, channel: String) async {
        do {
            let added = try await redis.sadd(Self.channelsKey(user.id), [channel])
            _ = try await redis.expire(Self.channelsKey(user.id), seconds: 86_400)
            if added == 1 { enqueue(Announcement(user: user.id, online: true, channels: [channel])) }
        } catch {
            logger.warning("presence: subscribe bookkeeping failed", metadata: ["error": "\(error)"])
        }
    }

    /// The connection stays registered for `offlineGrace` more, then expires: whichever edge
    /// sweeps it first reconciles the user (offline unless a connection came back). Nothing is
    /// left to a timer of this process, so an edge that stops right after still has its users
    /// announced offline by the others (or by itself when it is the only one, once restarted).
    func disconnected(session: UInt64, user: VerifiedUser) async {
        let member = member(session, user.id)
        local.withLock { _ = $0.removeValue(forKey: member) }
        do {
            if timing.offlineGrace > .zero {
                let expiry = Self.nowMilliseconds() + Double(timing.offlineGrace.components.seconds) * 1_000
                    + Double(timing.offlineGrace.components.attoseconds) / 1e15
                _ = try await redis.zadd(Self.connectionsKey, score: expiry, member: member)
                _ = try await redis.zadd(Self.userKey(user.id), score: expiry, member: member)
            } else {
                _ = try await redis.zrem(Self.connectionsKey, [member])
                _ = try await redis.zrem(Self.userKey(user.id), [member])
                try await reconcile(user: user.id)
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
            group.addTask { await self.every(self.timing.batch) { try await self.flush() } }
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

    /// Pushes the expiry of every registration of this edge forward: one `ZADD` for the
    /// shared set, and the users' sets by `refreshScript`, `refreshBatch` registrations per
    /// command (one command per registration cost this edge a round trip each: with 5,000
    /// clients, 1,000 round trips a second).
    func refresh() async throws {
        let mine = Array(local.withLock { $0 })
        guard !mine.isEmpty else { return }
        let expiry = Self.nowMilliseconds() + ttlMilliseconds
        _ = try await redis.zadd(Self.connectionsKey, mine.map { (score: expiry, member: $0.key as any RedisArgumentConvertible) })
        let score = RedisArgument(score: expiry)
        for start in stride(from: 0, to: mine.count, by: Self.refreshBatch) {
            let batch = mine[start..<min(start + Self.refreshBatch, mine.count)]
            _ = try await redis.eval(Self.refreshScript, keys: batch.map { Self.userKey($0.value) },
                                     arguments: [score] + batch.map { RedisArgument($0.key) })
        }
    }

    /// KEYS the users' connection sets; ARGV[1] the expiry, ARGV[i + 1] the member of KEYS[i].
    static let refreshScript = """
        for i, key in ipairs(KEYS) do redis.call('ZADD', key, ARGV[1], ARGV[i + 1]) end
        return #KEYS
        """
    static let refreshBatch = 500

    /// Removes registrations whose edge stopped refreshing them; whoever removes the
    /// last live connection of a user announces them offline.
    private func sweepExpired() async throws {
        // Up to 20 pages of 500 per sweep: a mass disconnect is announced within a few sweeps.
        for _ in 0..<20 {
            let expired = try await redis.zrangebyscore(Self.connectionsKey, min: -.infinity, max: Self.nowMilliseconds(), limit: (0, 500))
            for raw in expired {
                let member = String(decoding: raw, as: UTF8.self)
                guard try await redis.zrem(Self.connectionsKey, [member]) == 1 else { continue }
                let user = String(member.split(separator: "|").first ?? "")
                _ = try await redis.zrem(Self.userKey(user), [member])
                try await reconcile(user: user)
            }
            if expired.count < 500 { return }
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

    /// Announces `user`'s status if it is not the one last announced (see the type's comment).
    private func reconcile(user: String) async throws {
        let reply = try await redis.eval(Self.reconcileScript, keys: [Self.userKey(user), Self.statusKey(user)],
                                         arguments: [RedisArgument(String(Int64(Self.nowMilliseconds())))])
        guard let changed = try reply.bulkBytes(), !changed.isEmpty else { return }
        let channels = try await redis.smembers(Self.channelsKey(user)).map { String(decoding: $0, as: UTF8.self) }
        enqueue(Announcement(user: user, online: changed == Array("online".utf8), channels: channels))
    }

    private func enqueue(_ announcement: Announcement) {
        guard !announcement.channels.isEmpty else { return }
        outbox.withLock { $0.append(announcement) }
    }

    /// Publishes what waits in the outbox, `batchLimit` announcements per message.
    private func flush() async throws {
        let pending = outbox.withLock { outbox -> [Announcement] in
            defer { outbox.removeAll(keepingCapacity: true) }
            return outbox
        }
        var start = 0
        while start < pending.count {
            let batch = pending[start..<min(pending.count, start + timing.batchLimit)]
            start = batch.endIndex
            let entries = batch.map { ["user": $0.user, "status": $0.online ? "online" : "offline", "channels": $0.channels] as [String: Any] }
            let payload = try JSONSerialization.data(withJSONObject: ["batch": entries])
            _ = try await redis.publish(Self.presenceChannel, Array(payload))
        }
    }

    private static func json(_ object: [String: String]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// A broadcast from some edge: deliver to the local subscribers concerned.
    func deliver(_ channel: String, _ payload: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else { return }
        if channel == Self.typingChannel, let user = object["user"] as? String, let chat = object["channel"] as? String {
            let event = GatewayEvents.typing(channel: chat, user: user,
                                             ttlMilliseconds: Int(timing.typingTTL.components.seconds) * 1_000)
            GatewaySession.send(event, to: hub.subscribers(of: chat).filter { $0.user?.id != user })
        } else if channel == Self.presenceChannel {
            // A batch (`{"batch":[…]}`) or a single announcement (edges of earlier versions).
            let entries = (object["batch"] as? [[String: Any]]) ?? [object]
            var texts: [UInt64: (session: GatewaySession, texts: [OutboundText])] = [:]
            for entry in entries {
                guard let user = entry["user"] as? String, let status = entry["status"] as? String,
                      let channels = entry["channels"] as? [String] else { continue }
                var recipients: [UInt64: GatewaySession] = [:]
                for chat in channels {
                    for session in hub.subscribers(of: chat) where session.user?.id != user { recipients[session.id] = session }
                }
                guard !recipients.isEmpty else { continue }  // no frame encoded for nobody
                let event = OutboundText.shared([GatewayEvents.presence(user: user, online: status == "online")])[0]
                for (id, session) in recipients { texts[id, default: (session, [])].texts.append(event) }
            }
            GatewaySession.send(Array(texts.values))
        }
    }
}

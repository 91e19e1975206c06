import Foundation
import IntegrationSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension ChatEndToEnd {
    /// The faults the chat must heal from, in turn, on one cluster under steady traffic.
    /// The broker, Redis and PostgreSQL are the test's own (`PrivateBroker`, `PrivateRedis`,
    /// `PrivatePostgres`): it crashes and restarts them, which would break any other suite
    /// using the profile's shared ones.
    @Suite("Fault matrix")
    struct FaultMatrix {
        /// Publishers' pace: each of the 4 publishes one message every `interval`.
        static let interval = Duration.milliseconds(100)
        static let channelCount = 3

        @Test("two origins and two edges under steady traffic: kill -9 an origin, kill -9 an edge, restart Redis, kill -9 the broker, restart PostgreSQL; every acked message in history once, gapless, and at every subscriber once")
        func matrix() async throws {
            try await Self.matrix()
        }

        static func matrix() async throws {
            let broker = try await PrivateBroker.start()
            let redis = try await PrivateRedis.start(name: "matrix-redis")
            let postgres: PrivateServer
            do {
                postgres = try await PrivatePostgres.start()
            } catch {
                await broker.stop()
                await redis.stop()
                throw error
            }
            var options = TestCluster.Options.chat()
            options.name = "chat-matrix"
            options.originEnvironment["STREAMLY_KAFKA_BROKERS"] = "127.0.0.1:\(broker.port)"
            options.originEnvironment["STREAMLY_POSTGRES_URL"] = PrivatePostgres.url(postgres)
            options.edgeEnvironment["STREAMLY_REDIS_URL"] = redis.url
            do {
                try await TestCluster.with(options, origins: ["oa", "ob"], edges: [("ex", ["oa", "ob"]), ("ey", ["oa", "ob"])]) { cluster in
                    try await cluster.warmUp()
                    let faults = [
                        Fault("kill -9 origin") {
                            await cluster.crash("oa")
                            try await Task.sleep(for: .seconds(1))
                            try cluster.startOrigin("oa")  // as its supervisor would
                            try await cluster.waitReady()
                        },
                        Fault("kill -9 edge") {
                            await cluster.crash("ex")
                            try cluster.startEdge("ex")
                            try await cluster.waitReady()
                        },
                        Fault("restart Redis") { try await redis.restart() },
                        Fault("kill -9 broker") {
                            await broker.crash()
                            try await broker.start()
                        },
                        // Fast shutdown: the server cuts every client off mid-work. Statements the
                        // origins' pools then write to closed connections are answered
                        // `unavailable` within a second (`ClosedConnectionWatch`), not waited on.
                        Fault("restart PostgreSQL") {
                            await postgres.terminate(signal: SIGINT)
                            try await postgres.start()
                        },
                    ]
                    try await Self.run(cluster, faults: faults)
                }
            } catch {
                print(broker.logTail())
                print(postgres.logTail())
                await broker.stop()
                await redis.stop()
                await postgres.stop(signal: SIGINT)
                throw error
            }
            await broker.stop()
            await redis.stop()
            await postgres.stop(signal: SIGINT)
        }

        struct Fault: Sendable {
            let name: String
            let strike: @Sendable () async throws -> Void
            init(_ name: String, strike: @escaping @Sendable () async throws -> Void) {
                self.name = name
                self.strike = strike
            }
        }

        /// When each publish started and was acked (wall clock).
        final class Acks: Sendable {
            private let entries = Mutex<[(publisher: Int, sent: Date, acked: Date)]>([])
            func record(publisher: Int, sent: Date, acked: Date) { entries.withLock { $0.append((publisher, sent, acked)) } }
            var all: [(publisher: Int, sent: Date, acked: Date)] { entries.withLock { $0 } }
        }

        /// Four participants (two users, each on both edges) subscribe to every channel and
        /// publish at a steady pace while `faults` strike one after another, 2 s apart; then
        /// the end state is checked and the figures printed.
        static func run(_ cluster: TestCluster, faults: [Fault]) async throws {
            let names = cluster.edges.keys.sorted()
            let ports = names.map(cluster.port)
            let rest = cluster.rest(names.last)
            let users = [try await rest.signup("m0"), try await rest.signup("m1")]
            let channels = try await Array(0..<channelCount).asyncMap { _ in try await rest.createChannel(users[0]) }
            var participants: [Participant] = []
            for (index, user) in users.enumerated() {
                for slot in 0..<2 {
                    let participant = try await Participant.join("m\(index)s\(slot)", account: user,
                                                                 edges: slot == 0 ? ports : ports.reversed())
                    for channel in channels { try await participant.subscribe(channel) }
                    participants.append(participant)
                }
            }
            let acks = Acks()
            let stop = Counter()
            let (steadyStart, steadyEnd, windows, counts) = try await withThrowingTaskGroup(of: (Int, Int).self) { group -> (Date, Date, [(name: String, start: Date, end: Date)], [Int: Int]) in
                for (index, participant) in participants.enumerated() {
                    group.addTask {
                        var n = 0
                        var next = ContinuousClock.now
                        while stop.value == 0 {
                            let sent = Date()
                            try await participant.publish(channels[n % channels.count], clientID: "p\(index)-m\(n)",
                                                          body: "t=\(sent.timeIntervalSince1970)", attemptTimeout: .seconds(6),
                                                          deadline: .seconds(90))
                            acks.record(publisher: index, sent: sent, acked: Date())
                            n += 1
                            next += interval
                            if next > ContinuousClock.now { try await Task.sleep(until: next, clock: .continuous) } else { next = .now }
                        }
                        return (index, n)
                    }
                }
                let steadyStart = Date().addingTimeInterval(1)
                try await Task.sleep(for: .seconds(4))
                let steadyEnd = Date()
                var windows: [(name: String, start: Date, end: Date)] = []
                for fault in faults {
                    let start = Date()
                    try await fault.strike()
                    let back = Date()
                    windows.append((fault.name, start, back))
                    // The next fault strikes once every publisher has had publishes sent after
                    // this one acked again, so faults do not overlap.
                    let deadline = ContinuousClock.now + .seconds(45)
                    while Set(acks.all.filter { $0.sent > back }.map(\.publisher)).count < participants.count {
                        guard ContinuousClock.now < deadline else {
                            throw TestFailure("chat did not recover from \(fault.name) within 45 s")
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    print("[chat-matrix] \(fault.name): \(String(format: "%.2f", back.timeIntervalSince(start))) s to strike and come back, "
                          + "every publisher acked again after \(String(format: "%.2f", Date().timeIntervalSince(back))) s")
                    try await Task.sleep(for: .seconds(1))
                }
                try await Task.sleep(for: .seconds(2))
                stop.increment()
                var counts: [Int: Int] = [:]
                for try await (index, n) in group { counts[index] = n }
                return (steadyStart, steadyEnd, windows, counts)
            }
            var expected: [String: Set<String>] = [:]
            for (index, participant) in participants.enumerated() {
                for n in 0..<counts[index]! {
                    expected[channels[n % channels.count], default: []].insert("\(participant.account.id)|p\(index)-m\(n)")
                }
            }
            print("[chat-matrix] \(expected.values.map(\.count).reduce(0, +)) messages acked, "
                  + "\(await participants.asyncMap { await $0.attempts }.reduce(0, +)) publish attempts")
            // Tail checks fill what the broker lost within a few seconds of a channel going quiet.
            try await Delivery.verify(participants, expected: expected, rest: rest, reader: users[1], timeout: .seconds(45))
            await report(participants, channels: channels, acks: acks.all, steadyStart: steadyStart, steadyEnd: steadyEnd, windows: windows)
        }

        /// Prints publish → delivery p50/p99 in steady state (messages sent from 1 s after
        /// publishing began until the first fault) and, per fault, the longest publish → ack of
        /// the publishes acked after it struck and before the next fault struck (a publish the
        /// broker lost counts for the broker even if it was sent before), and the longest time
        /// no subscriber got anything between the two.
        static func report(_ participants: [Participant], channels: [String], acks: [(publisher: Int, sent: Date, acked: Date)],
                           steadyStart: Date, steadyEnd: Date, windows: [(name: String, start: Date, end: Date)]) async {
            var steady: [Double] = []
            var deliveries: [Date] = []
            for participant in participants {
                for channel in channels {
                    for event in await participant.received(channel) {
                        deliveries.append(event.receivedAt)
                        guard let body = event.body, body.hasPrefix("t="), let sent = Double(body.dropFirst(2)),
                              sent >= steadyStart.timeIntervalSince1970, sent < steadyEnd.timeIntervalSince1970 else { continue }
                        steady.append(event.receivedAt.timeIntervalSince1970 - sent)
                    }
                }
            }
            steady.sort()
            deliveries.sort()
            func percentile(_ p: Double) -> String {
                guard !steady.isEmpty else { return "-" }
                return String(format: "%.1f ms", steady[min(steady.count - 1, Int(Double(steady.count) * p))] * 1000)
            }
            print("[chat-matrix] steady state publish → delivery: p50 \(percentile(0.5)), p99 \(percentile(0.99)) (\(steady.count) deliveries)")
            for (index, window) in windows.enumerated() {
                let until = index + 1 < windows.count ? windows[index + 1].start : .distantFuture
                let ackStall = acks.filter { $0.acked >= window.start && $0.acked < until }
                    .map { $0.acked.timeIntervalSince($0.sent) }.max() ?? 0
                var quiet = 0.0
                var previous = window.start
                for instant in deliveries where instant > window.start && instant < until {
                    quiet = max(quiet, instant.timeIntervalSince(previous))
                    previous = instant
                }
                print("[chat-matrix] \(window.name): longest publish → ack \(String(format: "%.2f", ackStall)) s, "
                      + "longest time without a delivery \(String(format: "%.2f", quiet)) s")
            }
        }
    }
}

import IntegrationSupport
import Foundation

/// Real `streamly-origin` and `streamly-edge` processes on loopback, wired to the real
/// PostgreSQL, Redis and broker of `Infra`. Every name gets a per-run suffix, so runs
/// never share node ids.
final class Cluster: @unchecked Sendable {
    // @unchecked: the maps change only in the test task that owns the cluster.
    static let secret = "chat-integration-tests-cluster-secret-0123456789"

    struct Origin {
        var daemon: Daemon
        let linkPort: Int
        let operatorPort: Int
    }
    struct Edge {
        var daemon: Daemon
        let port: Int
        let origins: [String]
    }

    let infra: Infra
    let run = UUID().uuidString.prefix(6).lowercased()
    private(set) var origins: [String: Origin] = [:]
    private(set) var edges: [String: Edge] = [:]
    private var edgeOrder: [String] = []
    /// When the origins' Kafka consumer group (the sequencer) is expected to be stable again.
    /// Tansu 0.6 keeps a member that leaves while the group rebalances as its leader for
    /// good, which wedges the group for every later origin (publishes then time out
    /// forever), so origins are only stopped once the group has settled.
    private var groupSettles = ContinuousClock.now
    static let settleAfterJoinOrLeave = Duration.seconds(6)
    static let settleAfterCrash = Duration.seconds(11)

    /// The brokers the origins use: the profile's usual one, or its durable one.
    let kafkaBrokers: String

    init(durableBroker: Bool = false) throws {
        infra = try Infra.fromEnvironment()
        if durableBroker {
            guard let brokers = infra.durableKafkaBrokers else {
                throw TestFailure("STREAMLY_KAFKA_DURABLE_BROKERS is not set: source .state/<profile>/env.sh (infra/up.sh)")
            }
            kafkaBrokers = brokers
        } else {
            kafkaBrokers = infra.kafkaBrokers
        }
    }

    /// Starts origins and edges (each edge linked to the origins named with it), waits
    /// until every one is ready, optionally warms the chat pipeline up, runs `body` and
    /// stops everything, also when `body` throws (then the logs' tails are printed).
    static func with(origins: [String], edges: [(name: String, origins: [String])], warmUp: Bool = true,
                     durableBroker: Bool = false, _ body: (Cluster) async throws -> Void) async throws {
        let cluster = try Cluster(durableBroker: durableBroker)
        do {
            for name in origins {
                // One at a time: Tansu on S3 (dev profile) can hand two producers that
                // start together the same idempotent producer id, which breaks both.
                try cluster.startOrigin(name)
                try await cluster.waitReady()
                try await Task.sleep(for: .milliseconds(500))
            }
            for edge in edges { try cluster.startEdge(edge.name, origins: edge.origins) }
            try await cluster.waitReady()
            if warmUp { try await cluster.warmUp() }
            try await body(cluster)
        } catch {
            print(cluster.logTails())
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    // MARK: Processes

    /// `extra` adds or overrides environment variables (e.g. the HLS tests' storage).
    func startOrigin(_ name: String, extra: [String: String] = [:]) throws {
        let linkPort = try origins[name]?.linkPort ?? freePort()
        let operatorPort = try origins[name]?.operatorPort ?? freePort()
        let daemon = try Daemon("streamly-origin", name: "\(name)-\(run)", environment: [
            "STREAMLY_NODE_ID": "\(name)-\(run)", "STREAMLY_LINK_PORT": String(linkPort),
            "STREAMLY_OPERATOR_PORT": String(operatorPort), "STREAMLY_CLUSTER_SECRET": Self.secret,
            "STREAMLY_POSTGRES_URL": infra.postgresURL, "STREAMLY_KAFKA_BROKERS": kafkaBrokers,
            // Topics and sequencer group of this cluster alone: clusters of other tests (and
            // origins they SIGKILL) never join its group or share its log.
            "STREAMLY_KAFKA_NAMESPACE": "chat-it-\(run)",
            // Tansu holds a JoinGroup for about half the session timeout: keep joins short.
            "STREAMLY_KAFKA_SESSION_TIMEOUT_MS": "2000",
            // The in-memory Tansu holds every fetch for this long; the one on S3 answers empty
            // when listing its storage takes longer (docs/configuration.md).
            "STREAMLY_KAFKA_FETCH_WAIT_MAX_MS": kafkaBrokers == infra.kafkaBrokers ? "5" : "500",
            "STREAMLY_CHAT_PUBLISH_TIMEOUT_MS": "5000", "STREAMLY_LINK_HEARTBEAT_MS": "500", "STREAMLY_DRAIN_TIMEOUT": "1",
            // Nothing of the chat tests uses HLS: keep their files out of the working directory.
            "STREAMLY_STORAGE_LOCAL_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("streamly-objects-\(run)").path,
        ].merging(extra) { $1 })
        origins[name] = Origin(daemon: daemon, linkPort: linkPort, operatorPort: operatorPort)
        groupSettles = ContinuousClock.now + Self.settleAfterJoinOrLeave
    }

    func startEdge(_ name: String, origins names: [String], extra: [String: String] = [:]) throws {
        let port = try edges[name]?.port ?? freePort()
        let links = try names.map { name in
            guard let origin = origins[name] else { throw TestFailure("unknown origin \(name)") }
            return "127.0.0.1:\(origin.linkPort)"
        }
        let daemon = try Daemon("streamly-edge", name: "\(name)-\(run)", environment: [
            "STREAMLY_NODE_ID": "\(name)-\(run)", "STREAMLY_HTTP_PORT": String(port),
            "STREAMLY_ORIGINS": links.joined(separator: ","), "STREAMLY_REDIS_URL": infra.redisURL,
            "STREAMLY_CLUSTER_SECRET": Self.secret, "STREAMLY_LINK_HEARTBEAT_MS": "500",
            "STREAMLY_LINK_BACKOFF_BASE_MS": "50", "STREAMLY_LINK_BACKOFF_MAX_MS": "500", "STREAMLY_DRAIN_TIMEOUT": "1",
            // The chat tests need no TLS listener or HLS cache directory.
            "STREAMLY_HTTPS_ENABLED": "false", "STREAMLY_VOD_CACHE_DIR": "",
        ].merging(extra) { $1 })
        if edges[name] == nil { edgeOrder.append(name) }
        edges[name] = Edge(daemon: daemon, port: port, origins: names)
    }

    /// SIGKILL an origin or an edge, as a crash would.
    func crash(_ name: String) async {
        if let origin = origins[name] {
            await origin.daemon.crash()
            groupSettles = ContinuousClock.now + Self.settleAfterCrash
        } else {
            await edges[name]?.daemon.crash()
        }
    }

    /// The HTTP port of an edge.
    func port(_ edge: String) -> Int { edges[edge]!.port }
    /// REST on the first edge (or `edge`).
    func rest(_ edge: String? = nil) -> REST { REST(port: port(edge ?? edgeOrder[0])) }

    /// Waits until every running origin and edge answers `/readyz` with 200 (an edge:
    /// all its origin links and Redis up).
    func waitReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        let urls = origins.values.filter(\.daemon.isRunning).map { "http://127.0.0.1:\($0.operatorPort)/readyz" }
            + edges.values.filter(\.daemon.isRunning).map { "http://127.0.0.1:\($0.port)/readyz" }
        for url in urls {
            while try await httpStatus(url) != 200 {
                guard ContinuousClock.now < deadline else { throw TestFailure("\(url) not ready within \(timeout)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Publishes probes through every edge (so through every origin, round robin) until
    /// each is acked and seen on every edge: after this the sequencer group has formed
    /// and every origin's fan-out consumer reads the events topic.
    func warmUp(timeout: Duration = .seconds(60)) async throws {
        let started = ContinuousClock.now
        let ports = edgeOrder.filter { edges[$0]!.daemon.isRunning }.map(port)
        let account = try await REST(port: ports[0]).signup("warm")
        let channel = try await REST(port: ports[0]).createChannel(account)
        var members: [Participant] = []
        for (index, port) in ports.enumerated() {
            let member = try await Participant.join("warm\(index)", account: account, edges: [port])
            try await member.subscribe(channel)
            members.append(member)
        }
        var last: Int64 = 0
        do {
            for round in 0..<2 {
                for (index, member) in members.enumerated() {
                    last = try await member.publish(channel, clientID: "probe-\(round)-\(index)", attemptTimeout: .seconds(6),
                                                    deadline: timeout)
                }
            }
        } catch {
            throw TestFailure("""
                warm-up: the chat pipeline never acked a probe (\(error)). If the origins' logs show no \
                error, the broker's group "streamly-chat-sequencer" may be wedged (Tansu keeps a member that \
                left during a rebalance as leader): restart the broker with `infra/svc.sh restart kafka --profile P`.
                """)
        }
        for member in members {
            guard try await member.waitUntilSeen(channel, through: last, timeout: .seconds(20)) else {
                throw TestFailure("warm-up: \(member.name) did not see seq \(last)")
            }
            await member.client.close()
        }
        print("[chat-it] warm-up took \(ContinuousClock.now - started) (\(await members.asyncMap { await $0.attempts }.reduce(0, +)) publish attempts)")
    }

    /// Stops the edges, then the origins one at a time, each once the consumer group has
    /// settled (see `groupSettles`).
    func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for edge in edges.values { group.addTask { await edge.daemon.stop() } }
        }
        for origin in origins.values.map(\.daemon) where origin.isRunning {
            let wait = groupSettles - ContinuousClock.now
            if wait > .zero { try? await Task.sleep(for: wait) }
            await origin.stop()
            groupSettles = ContinuousClock.now + Self.settleAfterJoinOrLeave
        }
    }

    func logTails() -> String {
        (origins.values.map(\.daemon) + edges.values.map(\.daemon)).map(\.logTail).joined(separator: "\n")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}


import Foundation

/// Real `streamly-origin` and `streamly-edge` processes on loopback, wired to the real
/// PostgreSQL, Redis, broker and S3 server of `Infra`: N origins and M edges, each edge linked
/// to the origins named with it. Every node id, port, Kafka namespace and directory belongs to
/// this run alone, so tests never share them; a restarted node keeps its ports.
public final class TestCluster: @unchecked Sendable {
    // @unchecked: the maps change only in the test task that owns the cluster.
    public struct Origin: Sendable {
        public var process: ChildProcess
        public let linkPort: Int
        public let operatorPort: Int
    }
    public struct Edge: Sendable {
        public var process: ChildProcess
        public let port: Int
        /// The TLS listener's port (`Options.https`).
        public let httpsPort: Int?
        /// The operator listener's port (`/readyz`, `/metrics`).
        public let operatorPort: Int
        public let origins: [String]
    }

    public let options: Options
    public let infra: Infra
    /// A per-run suffix of every name.
    public let run = UUID().uuidString.prefix(6).lowercased()
    public private(set) var origins: [String: Origin] = [:]
    public private(set) var edges: [String: Edge] = [:]
    /// Names in the order they were first started.
    public private(set) var originNames: [String] = []
    public private(set) var edgeNames: [String] = []
    /// When the origins' Kafka consumer groups are expected to be stable again; origins are
    /// stopped only then. With each origin sequencing in a group of its own
    /// (`chat.sequencer.group` per-origin, set by `originEnvironment`) no group is shared, so
    /// there is nothing to wait for; the hook stays for brokers that need it.
    private var groupSettles = ContinuousClock.now
    static let settleAfterJoinOrLeave = Duration.zero
    static let settleAfterCrash = Duration.zero

    /// The brokers the origins use: the profile's usual one, or its durable one.
    public let kafkaBrokers: String

    public init(_ options: Options) throws {
        self.options = options
        infra = try Infra.fromEnvironment()
        if options.durableBroker {
            guard let brokers = infra.durableKafkaBrokers else {
                throw TestFailure("STREAMLY_KAFKA_DURABLE_BROKERS is not set: source .state/<profile>/env.sh (infra/up.sh)")
            }
            kafkaBrokers = brokers
        } else {
            kafkaBrokers = infra.kafkaBrokers
        }
        if case .s3 = options.storage, infra.s3 == nil {
            throw TestFailure("STREAMLY_S3_ENDPOINT is not set: source .state/<profile>/env.sh (infra/up.sh)")
        }
    }

    /// Starts the origins (one at a time) and the edges,
    /// waits until every one is ready, runs `body` and stops everything, also when `body`
    /// throws (then the logs' tails are printed).
    public static func with(_ options: Options, origins: [String], edges: [(name: String, origins: [String])],
                            _ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try TestCluster(options)
        do {
            for name in origins {
                try await cluster.startReady(name) { try cluster.startOrigin(name) }
                try await Task.sleep(for: .milliseconds(500))
            }
            for edge in edges {
                try await cluster.startReady(edge.name) { try cluster.startEdge(edge.name, origins: edge.origins) }
            }
            try await body(cluster)
        } catch {
            print(cluster.logTails())
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    // MARK: Processes

    /// Starts (or restarts, on the same ports) origin `name`; `extra` adds or overrides
    /// environment variables.
    public func startOrigin(_ name: String, extra: [String: String] = [:]) throws {
        let linkPort = try origins[name]?.linkPort ?? freePort()
        let operatorPort = try origins[name]?.operatorPort ?? freePort()
        let process = try ChildProcess.streamly("streamly-origin", name: nodeID(name), environment: originEnvironment(
            name, linkPort: linkPort, operatorPort: operatorPort).merging(extra) { $1 })
        if origins[name] == nil { originNames.append(name) }
        origins[name] = Origin(process: process, linkPort: linkPort, operatorPort: operatorPort)
        groupSettles = ContinuousClock.now + Self.settleAfterJoinOrLeave
    }

    /// Starts (or restarts, on the same ports) edge `name`, linked to the origins named
    /// (nil: those of its last start, else all).
    /// `port`: the HTTP port to use (default: the edge's earlier one, else a free one), for a
    /// test that must name it in the edge's own configuration (`public.url`).
    public func startEdge(_ name: String, origins names: [String]? = nil, port: Int? = nil, extra: [String: String] = [:]) throws {
        let names = names ?? edges[name]?.origins ?? originNames
        let port = try port ?? edges[name]?.port ?? freePort()
        let httpsPort = try options.https ? edges[name]?.httpsPort ?? freePort() : nil
        let operatorPort = try edges[name]?.operatorPort ?? freePort()
        let links = try names.map { name in
            guard let origin = origins[name] else { throw TestFailure("unknown origin \(name)") }
            return "127.0.0.1:\(origin.linkPort)"
        }
        let process = try ChildProcess.streamly("streamly-edge", name: nodeID(name), environment: edgeEnvironment(
            name, port: port, httpsPort: httpsPort, operatorPort: operatorPort, links: links).merging(extra) { $1 })
        if edges[name] == nil { edgeNames.append(name) }
        edges[name] = Edge(process: process, port: port, httpsPort: httpsPort, operatorPort: operatorPort, origins: names)
    }

    /// SIGKILL an origin or an edge, as a crash would.
    public func crash(_ name: String) async {
        if let origin = origins[name] {
            await origin.process.crash()
            groupSettles = ContinuousClock.now + Self.settleAfterCrash
        } else {
            await edges[name]?.process.crash()
        }
    }

    /// SIGTERM an edge, as an operator draining it would, and wait for it to exit.
    public func drain(_ name: String) async {
        await edges[name]?.process.stop()
    }

    /// The HTTP port of an edge.
    public func port(_ edge: String) -> Int { edges[edge]!.port }
    /// The operator port of an edge (`/readyz`, `/metrics`).
    public func operatorPort(_ edge: String) -> Int { edges[edge]!.operatorPort }
    /// REST on the first edge (or `edge`).
    public func rest(_ edge: String? = nil) -> REST { REST(port: port(edge ?? edgeNames[0])) }

    /// Waits until every running origin and edge answers `/readyz` with 200 (an edge:
    /// all its origin links and Redis up). Throws at once when one of them exits meanwhile
    /// (with its log's tail), and at the deadline with the checks its `/readyz` still fails.
    public func waitReady(timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        let nodes = origins.values.filter(\.process.isRunning).map { ($0.process, $0.operatorPort) }
            + edges.values.filter(\.process.isRunning).map { ($0.process, $0.operatorPort) }
        for (process, operatorPort) in nodes {
            let url = "http://127.0.0.1:\(operatorPort)/readyz"
            while try await httpStatus(url) != 200 {
                guard process.isRunning else { throw NodeExited(name: process.name, logTail: process.logTail()) }
                guard ContinuousClock.now < deadline else {
                    let report = (try? await httpGet(url, maxTime: 3).body) ?? "no answer"
                    throw TestFailure("\(process.name) not ready within \(timeout): \(report)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// A node that exited before it was ready.
    public struct NodeExited: Error, CustomStringConvertible {
        public let name: String
        public let logTail: String
        /// It could not bind a port: another process took it after `freePort` found it free.
        public var lostAPort: Bool { ChildProcess.lostAPort(logTail) }
        public var description: String { "\(name) exited before it was ready:\n\(logTail)" }
    }

    /// Runs `start` for node `name` and waits until it is ready; when the node exits because
    /// a port it was given was taken meanwhile (ports are found free, then bound by the child),
    /// starts it again on fresh ports, up to three times.
    public func startReady(_ name: String, _ start: () throws -> Void) async throws {
        try await startReady([name], start)
    }

    /// `startReady` for nodes that must start together (`start` starts all of them, e.g. edges
    /// that name each other's ports): when one of them lost a port, all are stopped and started
    /// again by `start`, which picks fresh ports for them.
    public func startReady(_ names: [String], _ start: () throws -> Void) async throws {
        for attempt in 1... {
            try start()
            do {
                return try await waitReady()
            } catch let exited as NodeExited where exited.lostAPort && attempt < 3 {
                print("\(exited.name) lost a port to another process; starting \(names) again on fresh ports")
                for name in names {
                    await (origins[name]?.process ?? edges[name]?.process)?.crash()
                    forget(name)
                }
            }
        }
    }

    /// Drops a node that has exited, with its ports, so that its next start finds new ones.
    private func forget(_ name: String) {
        if origins.removeValue(forKey: name) != nil { originNames.removeAll { $0 == name } }
        if edges.removeValue(forKey: name) != nil { edgeNames.removeAll { $0 == name } }
    }

    /// Stops the edges, then the origins one at a time, each once the consumer group has
    /// settled (see `groupSettles`); removes the run's directories.
    public func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for edge in edges.values { group.addTask { await edge.process.stop() } }
        }
        for origin in originNames.compactMap({ origins[$0]?.process }) where origin.isRunning {
            let wait = groupSettles - ContinuousClock.now
            if wait > .zero { try? await Task.sleep(for: wait) }
            await origin.stop()
            groupSettles = ContinuousClock.now + Self.settleAfterJoinOrLeave
        }
        try? FileManager.default.removeItem(at: directory)
    }

    public func logTails() -> String {
        (originNames.compactMap { origins[$0]?.process } + edgeNames.compactMap { edges[$0]?.process })
            .map { $0.logTail() }.joined(separator: "\n")
    }
}

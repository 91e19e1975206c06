import Foundation
import IntegrationSupport

extension TestCluster.Options {
    /// The chat tests' clusters: no TLS listener, no HLS cache, publishes answered within 5 s.
    static func chat(durableBroker: Bool = false) -> Self {
        var options = Self(name: "chat-it", clusterSecret: "chat-integration-tests-cluster-secret-0123456789")
        options.durableBroker = durableBroker
        options.originEnvironment = ["STREAMLY_CHAT_PUBLISH_TIMEOUT_MS": "5000"]
        return options
    }
}

extension TestCluster {
    /// A chat cluster (`Options.chat`), its chat pipeline warmed up unless `warmUp` is false.
    static func with(origins: [String], edges: [(name: String, origins: [String])], warmUp: Bool = true,
                     durableBroker: Bool = false, _ body: (TestCluster) async throws -> Void) async throws {
        try await with(.chat(durableBroker: durableBroker), origins: origins, edges: edges) { cluster in
            if warmUp { try await cluster.warmUp() }
            try await body(cluster)
        }
    }

    /// Publishes probes through every edge (so through every origin, round robin) until
    /// each is acked and seen on every edge: after this the sequencer group has formed
    /// and every origin's fan-out consumer reads the events topic.
    func warmUp(timeout: Duration = .seconds(60)) async throws {
        let started = ContinuousClock.now
        let ports = edgeNames.filter { edges[$0]!.process.isRunning }.map(port)
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
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}

import Foundation
import IntegrationSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real `streamly-origin` and `streamly-edge` processes on loopback.
@Suite("Edge ↔ origin link (real processes)", .serialized)
struct EdgeOriginLinkTests {
    static let secret = "integration-tests-cluster-secret-0123456789"
    /// Kept from the test's environment (infra/up.sh → env.sh); every other setting is dropped.
    static let infrastructure: Set<String> = ["STREAMLY_POSTGRES_URL", "STREAMLY_KAFKA_BROKERS", "STREAMLY_REDIS_URL"]

    static func daemon(_ executable: String, name: String, environment: [String: String]) throws -> ChildProcess {
        try ChildProcess.streamly(executable, name: name, environment: environment, inheriting: infrastructure)
    }

    struct Ports {
        let link = try! freePort(), originOperator = try! freePort(), edgeHTTP = try! freePort(), edgeOperator = try! freePort()
    }

    static func origin(_ ports: Ports, name: String = "origin", secret: String = secret) throws -> ChildProcess {
        try daemon("streamly-origin", name: name, environment: [
            "STREAMLY_NODE_ID": name, "STREAMLY_LINK_PORT": String(ports.link),
            "STREAMLY_OPERATOR_PORT": String(ports.originOperator), "STREAMLY_CLUSTER_SECRET": secret,
            "STREAMLY_LINK_HEARTBEAT_MS": "200", "STREAMLY_DRAIN_TIMEOUT": "2",
            // Its own topics and sequencer group: killing it must not stall other tests' groups.
            "STREAMLY_KAFKA_NAMESPACE": "link-it-\(UUID().uuidString.prefix(8).lowercased())",
        ])
    }

    static func edge(_ ports: Ports, secret: String = secret) throws -> ChildProcess {
        try daemon("streamly-edge", name: "edge", environment: [
            "STREAMLY_NODE_ID": "edge", "STREAMLY_HTTP_PORT": String(ports.edgeHTTP), "STREAMLY_OPERATOR_PORT": String(ports.edgeOperator),
            "STREAMLY_ORIGINS": "127.0.0.1:\(ports.link)", "STREAMLY_CLUSTER_SECRET": secret,
            "STREAMLY_LINK_HEARTBEAT_MS": "200", "STREAMLY_LINK_BACKOFF_BASE_MS": "50",
            "STREAMLY_LINK_BACKOFF_MAX_MS": "500",
            // No TLS listener (8443 may be taken on a shared machine) and no HLS disk cache.
            "STREAMLY_HTTPS_ENABLED": "false", "STREAMLY_VOD_CACHE_DIR": "",
        ])
    }

    static func ready(_ port: Int) async -> Bool {
        (try? await httpGet("http://127.0.0.1:\(port)/readyz").status) == 200
    }

    static func answers(_ port: Int) async -> Bool {
        (try? await httpGet("http://127.0.0.1:\(port)/readyz")) != nil
    }

    /// An origin and an edge on fresh ports, both listening. Ports are found free and then bound
    /// by the child, so another test's process may take one meanwhile: a node that exits with
    /// "Address already in use" is started again, both on fresh ports, up to three times.
    static func pair(edgeSecret: String = secret) async throws -> (ports: Ports, origin: ChildProcess, edge: ChildProcess) {
        for attempt in 1... {
            let ports = Ports()
            let origin = try Self.origin(ports)
            let edge = try Self.edge(ports, secret: edgeSecret)
            _ = await eventually(timeout: .seconds(15)) {
                if !origin.isRunning || !edge.isRunning { return true }
                guard await answers(ports.originOperator) else { return false }
                return await answers(ports.edgeOperator)
            }
            let lostAPort = [origin, edge].contains { !$0.isRunning && ChildProcess.lostAPort($0.log) }
            if !lostAPort || attempt == 3 { return (ports, origin, edge) }
            await origin.crash()
            await edge.crash()
        }
        preconditionFailure("unreachable")
    }

    @Test("the edge becomes ready, serves health and metrics, and reconnects after the origin is killed and restarted")
    func readyAndReconnect() async throws {
        let started = try await Self.pair()
        let (ports, edge) = (started.ports, started.edge)
        var origin = started.origin
        defer { Task { await edge.crash() } }

        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.edgeOperator) }, "edge log:\n\(edge.log)")
        #expect(try await httpGet("http://127.0.0.1:\(ports.edgeHTTP)/healthz").status == 200)
        // The origin is ready once its topics exist and its fan-out consumer is assigned,
        // which may come a moment after the edge's link is up.
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.originOperator) })
        let metrics = try await httpGet("http://127.0.0.1:\(ports.edgeOperator)/metrics").body
        #expect(metrics.contains("streamly_link_up{origin=\"127.0.0.1:\(ports.link)\"} 1"))
        #expect(metrics.contains("streamly_link_frames_total"))

        origin.signal(SIGKILL)
        _ = await origin.waitForExit(timeout: .seconds(5))
        #expect(await eventually(timeout: .seconds(5)) { await !Self.ready(ports.edgeOperator) })
        let notReady = try await httpGet("http://127.0.0.1:\(ports.edgeOperator)/readyz")
        #expect(notReady.status == 503)

        origin = try Self.origin(ports, name: "origin-restarted")
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.edgeOperator) }, "edge log:\n\(edge.log)")
        #expect(try await httpGet("http://127.0.0.1:\(ports.edgeOperator)/metrics").body.contains("streamly_link_reconnects_total"))

        // A frozen origin is detected by heartbeats (3 × 200 ms), not by TCP.
        origin.signal(SIGSTOP)
        #expect(await eventually(timeout: .seconds(5)) { await !Self.ready(ports.edgeOperator) })
        origin.signal(SIGCONT)
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.edgeOperator) })
        #expect(edge.log.contains("HEARTBEAT_TIMEOUT") || edge.log.contains("link down"))
        await origin.crash()
    }

    @Test("an edge with the wrong cluster secret is refused with AUTH_FAILED")
    func wrongSecret() async throws {
        let (ports, origin, edge) = try await Self.pair(edgeSecret: "not-the-cluster-secret-but-long-enough-000")
        var last = (status: 0, body: "")
        _ = await eventually(timeout: .seconds(10)) {
            last = (try? await httpGet("http://127.0.0.1:\(ports.edgeOperator)/readyz")) ?? (0, "")
            return last.body.contains("AUTH_FAILED")
        }
        #expect(last.status == 503)
        #expect(last.body.contains("AUTH_FAILED"), "readyz: \(last.body)\nedge log:\n\(edge.log)")
        #expect(origin.log.contains("AUTH_FAILED"))
        await edge.crash()
        await origin.crash()
    }

    @Test("SIGTERM: the origin drains its edges and exits; the edge exits cleanly")
    func gracefulShutdown() async throws {
        let (ports, origin, edge) = try await Self.pair()
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.edgeOperator) })
        origin.signal(SIGTERM)
        #expect(await origin.waitForExit(timeout: .seconds(10)) == 0, "origin log:\n\(origin.log)")
        #expect(await eventually(timeout: .seconds(5)) { await !Self.ready(ports.edgeOperator) })
        edge.signal(SIGTERM)
        #expect(await edge.waitForExit(timeout: .seconds(10)) == 0, "edge log:\n\(edge.log)")
        await origin.crash()
        await edge.crash()
    }

    @Test("an origin whose port is taken exits at once instead of running half-started")
    func portInUse() async throws {
        let ports = Ports()
        let first = try Self.origin(ports, name: "port-owner")
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.originOperator) }, "origin log:\n\(first.log)")
        let second = try Self.daemon("streamly-origin", name: "port-taken", environment: [
            "STREAMLY_LINK_PORT": String(try freePort()), "STREAMLY_OPERATOR_PORT": String(ports.originOperator),
            "STREAMLY_CLUSTER_SECRET": Self.secret,
        ])
        let status = await second.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0, "second origin log:\n\(second.log)")
        await second.crash()
        await first.crash()
    }

    @Test("without configured secrets, or with an unencrypted link off loopback, nodes refuse to start unless --dev")
    func refusesPublicSecrets() async throws {
        let ports = Ports()
        let unset = ["STREAMLY_CLUSTER_SECRET": "", "STREAMLY_AUTH_JWT_SECRET": "", "STREAMLY_AUTH_PLAYBACK_SECRET": ""]
        let origin = try Self.daemon("streamly-origin", name: "no-secrets", environment: unset.merging([
            "STREAMLY_LINK_PORT": String(ports.link), "STREAMLY_OPERATOR_PORT": String(ports.originOperator),
        ]) { $1 })
        #expect(await origin.waitForExit(timeout: .seconds(10)) != 0)
        #expect(origin.log.contains("cluster.secret (STREAMLY_CLUSTER_SECRET), auth.jwt.secret (STREAMLY_AUTH_JWT_SECRET)"), "\(origin.log)")
        #expect(origin.log.contains("--dev"))
        let edge = try Self.daemon("streamly-edge", name: "no-secrets", environment: unset.merging([
            "STREAMLY_HTTP_PORT": String(ports.edgeHTTP), "STREAMLY_ORIGINS": "127.0.0.1:\(ports.link)",
        ]) { $1 })
        #expect(await edge.waitForExit(timeout: .seconds(10)) != 0)
        #expect(edge.log.contains("not configured"), "\(edge.log)")
        let exposed = try Self.daemon("streamly-edge", name: "plain-link", environment: [
            "STREAMLY_HTTP_PORT": String(ports.edgeHTTP), "STREAMLY_ORIGINS": "192.0.2.10:7000",
        ])
        #expect(await exposed.waitForExit(timeout: .seconds(10)) != 0)
        #expect(exposed.log.contains("192.0.2.10 is not on loopback and has no TLS"), "\(exposed.log)")

        // --dev runs with the built-in secrets, and says so.
        let development = try ChildProcess.streamly("streamly-origin", name: "dev-origin", environment: unset.merging([
            "STREAMLY_LINK_PORT": String(ports.link), "STREAMLY_OPERATOR_PORT": String(ports.originOperator),
            "STREAMLY_KAFKA_NAMESPACE": "link-it-dev-\(UUID().uuidString.prefix(8).lowercased())",
        ]) { $1 }, inheriting: Self.infrastructure, arguments: ["--dev"])
        #expect(await eventually(timeout: .seconds(15)) { await Self.ready(ports.originOperator) }, "dev origin log:\n\(development.log)")
        #expect(development.log.contains("development mode"))
        await development.crash()
    }

    @Test("bad configuration is refused at start with a clear message")
    func badConfiguration() async throws {
        let ports = Ports()
        let edge = try Self.daemon("streamly-edge", name: "bad-edge", environment: [
            "STREAMLY_HTTP_PORT": String(ports.edgeHTTP), "STREAMLY_ORIGINS": "no-port-here",
        ])
        #expect(await edge.waitForExit(timeout: .seconds(10)) != 0)
        #expect(edge.log.contains("must be host:port"))
        let origin = try Self.daemon("streamly-origin", name: "bad-origin", environment: [
            "STREAMLY_LINK_PORT": String(ports.link), "STREAMLY_CLUSTER_SECRET": "short",
        ])
        #expect(await origin.waitForExit(timeout: .seconds(10)) != 0)
        #expect(origin.log.contains("at least 32 bytes"))
        let badNamespace = try Self.daemon("streamly-origin", name: "bad-namespace", environment: [
            "STREAMLY_LINK_PORT": String(ports.link), "STREAMLY_KAFKA_NAMESPACE": "Chat Prod",
        ])
        #expect(await badNamespace.waitForExit(timeout: .seconds(10)) != 0)
        #expect(badNamespace.log.contains("kafka.namespace=Chat Prod must be 1-64 characters"))
    }
}

import Logging
import NIOCore
import StreamLyLink
import StreamLyProtocol
import Testing
import StreamLyRetry

@Suite("Origin pool")
struct LinkPoolTests {
    static func pool(_ servers: [TestServer]) throws -> LinkPool {
        LinkPool(
            addresses: servers.map { LinkPool.Address(host: "127.0.0.1", port: $0.port) },
            endpoint: LinkEndpointConfiguration(
                nodeID: "pool-edge", role: .edge, authenticator: try ClusterSecretAuthenticator(secret: testSecret)),
            backoff: RetryPolicy(base: .milliseconds(20), cap: .milliseconds(200)),
            logger: Logger(label: "test.pool")
        )
    }

    @Test("requests are spread over healthy origins and move to the survivor when one stops")
    func spreadAndFailover() async throws {
        let a = try await TestServer.start(name: "a"), b = try await TestServer.start(name: "b")
        let pool = try Self.pool([a, b])
        let running = Task { try await pool.run() }
        defer { running.cancel() }
        while pool.status.contains(where: { $0.state != .up }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pool.isReady)

        var answeredBy: [String: Int] = [:]
        for _ in 0..<40 {
            let response = try await pool.request("sys.ping")
            #expect(response.status == 200)
            answeredBy[String(buffer: try await response.body.collect(upTo: 1_024)), default: 0] += 1
        }
        #expect(answeredBy[#"{"node":"a"}"#, default: 0] >= 10, "\(answeredBy)")
        #expect(answeredBy[#"{"node":"b"}"#, default: 0] >= 10, "\(answeredBy)")

        await a.stop()
        for _ in 0..<20 {
            let response = try await pool.request("sys.ping")
            #expect(response.status == 200)
        }
        // That the stopped origin is then reported down is checked with real processes
        // (Tests/IntegrationTests: the edge's /readyz turns 503 when its only origin dies).
        await b.stop()
        await #expect(throws: LinkError.self) {
            _ = try await pool.request("sys.ping", waitForPeer: .milliseconds(300))
        }
    }

    @Test("a cancelled pool closes its links and returns (a service group stops on another service's failure)")
    func cancelledPoolReturns() async throws {
        let server = try await TestServer.start(name: "a")
        let pool = try Self.pool([server])
        let running = Task { try await pool.run() }
        while !pool.isReady { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.server.connectionCount == 1)
        running.cancel()
        // Before, the pool waited on the link's close for ever: the edge whose public port was
        // taken kept running, its other listeners cancelled. The deadline only guards the hang.
        let returned: Void? = try? await withDeadline(.seconds(30)) { _ = await running.result }
        #expect(returned != nil, "the cancelled pool did not return")
        if returned != nil {
            while server.server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        await server.stop()
    }

    @Test("backoff grows exponentially to its cap, with jitter inside the bound")
    func backoff() {
        let backoff = RetryPolicy(base: .milliseconds(100), cap: .seconds(10), floor: .milliseconds(20))
        #expect(backoff.ceiling(attempt: 0) == .milliseconds(100))
        #expect(backoff.ceiling(attempt: 3) == .milliseconds(800))
        #expect(backoff.ceiling(attempt: 20) == .seconds(10))
        #expect(backoff.ceiling(attempt: 1_000) == .seconds(10))
        #expect(backoff.delay(attempt: 3, unit: 0.5) == .milliseconds(400))
        #expect(backoff.delay(attempt: 3, unit: 0) == .milliseconds(20))
        #expect(backoff.delay(attempt: 3, unit: 0.999) <= .milliseconds(800))
    }

    @Test("addresses parse as host:port")
    func addresses() {
        #expect(LinkPool.Address("127.0.0.1:7000") == LinkPool.Address(host: "127.0.0.1", port: 7000))
        #expect(LinkPool.Address("origin.local:1") != nil)
        #expect(LinkPool.Address("nohost") == nil)
        #expect(LinkPool.Address(":7000") == nil)
        #expect(LinkPool.Address("h:0") == nil)
        #expect(LinkPool.Address("h:70000") == nil)
    }
}

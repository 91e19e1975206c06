import Dispatch
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyProtocol
import Synchronization

let testSecret = "link-tests-cluster-secret-0123456789abcdef"

/// A link server on an ephemeral loopback port serving the `sys.*` methods,
/// plus `test.slow` (answers after 200 ms), until the returned task is cancelled. With a
/// `loopHandler`, the requests it takes are answered on the event loop; `inboundRequests`
/// counts those that reached the connection's `inbound`.
struct TestServer {
    let server: LinkServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let inboundRequests: RequestCounter

    var port: Int { server.boundPort ?? 0 }

    static func start(name: String = "test-origin", secret: String = testSecret,
                      settings: LinkSettings = LinkSettings(), drainTimeout: Duration = .seconds(2),
                      loopHandler: LinkLoopHandler? = nil) async throws -> TestServer {
        let counter = RequestCounter()
        let endpoint = LinkEndpointConfiguration(
            nodeID: name, role: .origin,
            authenticator: try ClusterSecretAuthenticator(secret: secret), settings: settings)
        let server = LinkServer(host: "127.0.0.1", port: 0, endpoint: endpoint, drainTimeout: drainTimeout,
                                loopHandler: loopHandler, logger: Logger(label: "test.server")) { connection in
            await withDiscardingTaskGroup { group in
                for await inbound in connection.inbound {
                    guard case .request(let request) = inbound else { continue }
                    counter.count.add(1, ordering: .relaxed)
                    group.addTask {
                        if (try? await LinkDiagnostics.handle(request, nodeID: name)) == true { return }
                        try? await request.responder.respond(status: 404)
                    }
                }
            }
        }
        let group = ServiceGroup(services: [server], logger: Logger(label: "test.group"))
        let task = Task { try await group.run() }
        while server.boundPort == nil { try await Task.sleep(for: .milliseconds(5)) }
        return TestServer(server: server, group: group, task: task, inboundRequests: counter)
    }

    func connect(secret: String = testSecret, settings: LinkSettings = LinkSettings()) async throws -> LinkConnection {
        try await LinkClient.connect(
            host: "127.0.0.1", port: port,
            endpoint: LinkEndpointConfiguration(
                nodeID: "test-edge", role: .edge,
                authenticator: try ClusterSecretAuthenticator(secret: secret), settings: settings)
        )
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// Counts requests (shared between the server's tasks and the test).
final class RequestCounter: Sendable {
    let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
}

/// Nanoseconds since an arbitrary start, for latency measurements.
func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

import Dispatch
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyProtocol

let testSecret = "link-tests-cluster-secret-0123456789abcdef"

/// A link server on an ephemeral loopback port serving the `sys.*` methods,
/// plus `test.slow` (answers after 200 ms), until the returned task is cancelled.
struct TestServer {
    let server: LinkServer
    let group: ServiceGroup
    let task: Task<Void, any Error>

    var port: Int { server.boundPort ?? 0 }

    static func start(name: String = "test-origin", secret: String = testSecret,
                      settings: LinkSettings = LinkSettings(), drainTimeout: Duration = .seconds(2)) async throws -> TestServer {
        let endpoint = LinkEndpointConfiguration(
            nodeID: name, role: .origin,
            authenticator: try ClusterSecretAuthenticator(secret: secret), settings: settings)
        let server = LinkServer(host: "127.0.0.1", port: 0, endpoint: endpoint, drainTimeout: drainTimeout,
                                logger: Logger(label: "test.server")) { connection in
            await withDiscardingTaskGroup { group in
                for await inbound in connection.inbound {
                    guard case .request(let request) = inbound else { continue }
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
        return TestServer(server: server, group: group, task: task)
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

/// Nanoseconds since an arbitrary start, for latency measurements.
func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

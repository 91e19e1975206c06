import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyProtocol

/// The link peer the protocol figures are measured against: either a `LinkServer`
/// started in this process on an ephemeral loopback port (serving the `sys.*`
/// methods through `LinkDiagnostics`, as an origin does), or a running
/// `streamly-origin` given as `host:port`.
struct LinkTarget: Sendable {
    let host: String
    let port: Int
    let secret: String
    let logger: Logger
    private let group: ServiceGroup?
    private let task: Task<Void, any Error>?

    /// Starts an in-process server, or just records where the origin is.
    static func start(origin: String?, secret: String, logger: Logger) async throws -> LinkTarget {
        if let origin {
            guard let colon = origin.lastIndex(of: ":"), let port = Int(origin[origin.index(after: colon)...]) else {
                throw BenchmarkError("--origin must be host:port, got \(origin)")
            }
            return LinkTarget(host: String(origin[..<colon]), port: port, secret: secret, logger: logger,
                              group: nil, task: nil)
        }
        let nodeID = "load-origin"
        let endpoint = LinkEndpointConfiguration(
            nodeID: nodeID, role: .origin, authenticator: try ClusterSecretAuthenticator(secret: secret))
        let server = LinkServer(host: "127.0.0.1", port: 0, endpoint: endpoint, drainTimeout: .seconds(2),
                                loopHandler: LinkDiagnostics.loopHandler(nodeID: nodeID), logger: logger) { connection in
            await withDiscardingTaskGroup { group in
                for await inbound in connection.inbound {
                    guard case .request(let request) = inbound else { continue }
                    group.addTask {
                        if (try? await LinkDiagnostics.handle(request, nodeID: nodeID)) == true { return }
                        try? await request.responder.respond(status: 404)
                    }
                }
            }
        }
        let group = ServiceGroup(services: [server], logger: logger)
        let task = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(5)
        while server.boundPort == nil {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("the link server did not start listening") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return LinkTarget(host: "127.0.0.1", port: server.boundPort!, secret: secret, logger: logger,
                          group: group, task: task)
    }

    /// Opens an authenticated connection as a `tool` peer.
    func connect() async throws -> LinkConnection {
        let endpoint = LinkEndpointConfiguration(
            nodeID: "streamly-load", role: .tool, authenticator: try ClusterSecretAuthenticator(secret: secret))
        return try await LinkClient.connect(host: host, port: port, endpoint: endpoint, logger: logger)
    }

    /// Stops the in-process server (graceful drain); nothing for a remote origin.
    func stop() async {
        guard let group, let task else { return }
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

import Logging
import NIOCore
import ServiceLifecycle
import StreamLyEdgeDirectory
import StreamLySFU

/// Runs the call relay and drives it from the edge directory (docs/cascade.md "Driven by the
/// directory"): announces the relay's bound address, then after every directory change (and
/// every `interval`, to retry) applies `CascadePlan`'s actions with `CallRelay.link` / `unlink`.
struct CascadeLinker: Service {
    let relay: CallRelay<WebRTCTransport>
    let directory: EdgeDirectory
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        try await relay.start()
        if let address = relay.server.localAddress {
            directory.relayAddress = Self.announced(address)
        }
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let token = directory.observe { wake.yield() }
        defer { directory.removeObserver(token) }
        var plan = CascadePlan()
        await WakeLoop.run(every: interval, wakes: wakes, wake: wake) { await reconcile(&plan) }
        await relay.shutdown()
    }

    /// One pass: the plan's actions, performed in order.
    func reconcile(_ plan: inout CascadePlan) async {
        let actions = plan.reconcile(localID: directory.localID, hosted: Set(directory.hostedCalls.keys),
                                     edges: directory.edges(), maxLinks: relay.server.configuration.maximumLinks)
        for action in actions {
            switch action {
            case .link(let link):
                guard let peer = try? CallRelay<WebRTCTransport>.address(link.peer) else {
                    logger.warning("edge directory: unusable relay address", metadata: ["relay": "\(link.peer)"])
                    plan.opened(link, false)
                    continue
                }
                let opened = await relay.link(call: link.call, to: peer)
                plan.opened(link, opened)
                logger.debug("cascade link", metadata: ["call": "\(link.call)", "peer": "\(link.peer)", "opened": "\(opened)"])
            case .unlink(let link, let reason):
                guard let peer = try? CallRelay<WebRTCTransport>.address(link.peer) else { continue }
                await relay.unlink(call: link.call, from: peer)
                logger.info("cascade unlink", metadata: ["call": "\(link.call)", "peer": "\(link.peer)", "reason": "\(reason.rawValue)"])
            }
        }
    }

    /// `ip:port`, IPv6 as `[ip]:port` (what `CallRelay.address` reads back).
    static func announced(_ address: SocketAddress) -> String? {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

import HummingbirdCore
import Hummingbird
import NIOCore
import ServiceLifecycle
import StreamLySFU
import Synchronization

/// Lets the link pool's inbound handler reach the hub built after it.
final class HubRef: Sendable {
    private let value = Mutex<ChatHub?>(nil)
    var hub: ChatHub? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Lets the link pool's inbound handler reach the HLS cache built after it (to purge deleted videos).
final class VODCacheRef: Sendable {
    private let value = Mutex<VODCache?>(nil)
    var cache: VODCache? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Runs presence until shutdown.
struct PresenceService: Service {
    let presence: RedisPresence
    func run() async throws {
        await withGracefulShutdownHandler {
            await presence.run()
        } onGracefulShutdown: {
            presence.close()
        }
    }
}

/// On shutdown, ends the edge's calls, then tells every WebSocket client to go elsewhere
/// (1001) before the listener stops.
struct GatewayDrain: Service {
    let gateway: Gateway
    func run() async throws {
        try? await gracefulShutdown()
        // Calls end first, at once: every participant leaves, so each hears `rtc.participant`
        // `left` for those who left before it and its own `rtc.left`, queued ahead of the close.
        await gateway.calls?.closeAll()
        gateway.closeAll(reason: "edge shutting down; reconnect and resume with since")
    }
}

/// Beats `ChatHub.tick()` every `interval` until shutdown: lost tails are found within a few
/// intervals of a channel going quiet (see `ChannelFeed.tick()`).
struct ChatTailChecks: Service {
    let hub: ChatHub
    var interval: Duration = .seconds(1)
    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            hub.tick()
        }
    }
}

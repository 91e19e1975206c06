import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// One WebSocket connection of `streamly-load abuse` (a well-behaved client or an attacker):
/// `GET /ws?token=…` upgrade, then text frames in and out. Received text frames and the
/// server's close code are kept for the caller to poll.
final class AbuseWebSocket: Sendable {
    private struct State {
        var texts: [String] = []
        var closeCode: Int?
    }
    let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    /// Connects to `edge`'s `/ws`, with `token` on the query if given; nil if refused.
    /// `socket`: a TCP socket already connected to `edge` (opened in another network namespace)
    /// to upgrade instead of connecting from here.
    static func connect(_ edge: EdgeAddress, token: String?, from source: String? = nil,
                        socket: NIOBSDSocket.Handle? = nil) async throws -> AbuseWebSocket? {
        let received = Received()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(5))
        if let source, socket == nil { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let headers: HTTPHeaders = ["Host": edge.authority, "Content-Length": "0"]
        let uri = "/ws" + (token.map { "?token=\($0)" } ?? "")
        let initializer: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<Bool>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: 1 << 20) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                                                        maxAccumulatedFrameSize: 1 << 20))
                        try channel.pipeline.syncOperations.addHandler(Handler(received: received))
                        return true
                    }
                }
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.close(promise: nil)
                            return channel.eventLoop.makeSucceededFuture(false)
                        })))
            }
        }
        let upgrade = if let socket {
            try await bootstrap.withConnectedSocket(socket, channelInitializer: initializer)
        } else {
            try await bootstrap.connect(host: edge.host, port: edge.port, channelInitializer: initializer)
        }
        guard try await upgrade.get() else { return nil }
        return AbuseWebSocket(channel: received.channel.withLock { $0! }, received: received)
    }

    /// Sends a text frame (`text` need not be JSON: attackers send anything).
    func send(_ text: String, opcode: WebSocketOpcode = .text) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: buffer), promise: nil)
    }

    func send(json object: [String: any Sendable]) {
        send(String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self))
    }

    var texts: [String] { received.state.withLock { $0.texts } }
    var closeCode: Int? { received.state.withLock { $0.closeCode } }
    var isOpen: Bool { channel.isActive }

    /// The first received object whose `id` is `id`, waiting up to `timeout`.
    func reply(id: Int, timeout: Duration) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        let needle = "\"id\":\(id)"
        while ContinuousClock.now < deadline {
            if let text = received.state.withLock({ state in state.texts.first { $0.contains(needle) } }),
               let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
                received.state.withLock { $0.texts.removeAll { $0 == text } }
                return object
            }
            if !channel.isActive { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    /// The first received JSON object `match` accepts, removed from the received texts,
    /// waiting up to `timeout`; on the way, texts whose `op` is in `discarding` are dropped
    /// (events the caller does not need, so the list stays short). Nil on timeout or close.
    func take(timeout: Duration, discarding: Set<String> = [], where match: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: [String: Any]? = received.state.withLock { state in
                var index = 0
                while index < state.texts.count {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(state.texts[index].utf8)) as? [String: Any]
                    else { index += 1; continue }
                    if match(object) {
                        state.texts.remove(at: index)
                        return object
                    }
                    if let op = object["op"] as? String, discarding.contains(op) {
                        state.texts.remove(at: index)
                    } else {
                        index += 1
                    }
                }
                return nil
            }
            if let found { return found }
            if !channel.isActive { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Waits up to `timeout` for the server to close; its close code, if it sent one.
    func closed(timeout: Duration) async -> (closed: Bool, code: Int?) {
        let deadline = ContinuousClock.now + timeout
        while channel.isActive, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return (!channel.isActive, closeCode)
    }

    func close() { channel.close(promise: nil) }

    /// What the handler fills in, shared with the `AbuseWebSocket` made after the upgrade.
    private final class Received: Sendable {
        let state = Mutex(State())
        let channel = Mutex<(any Channel)?>(nil)
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        let received: Received
        init(received: Received) { self.received = received }

        func handlerAdded(context: ChannelHandlerContext) {
            received.channel.withLock { $0 = context.channel }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text:
                let text = String(buffer: frame.unmaskedData)
                received.state.withLock { $0.texts.append(text) }
            case .connectionClose:
                var data = frame.unmaskedData
                let code = data.readInteger(as: UInt16.self).map(Int.init)
                received.state.withLock { $0.closeCode = code }
                context.close(promise: nil)
            case .ping:
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(),
                                                                     data: frame.unmaskedData)), promise: nil)
            default:
                break
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

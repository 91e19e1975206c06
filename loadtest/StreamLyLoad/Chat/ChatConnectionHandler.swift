import Foundation
import NIOCore
import NIOWebSocket

/// What one simulated client does.
struct ChatConnectionSpec: Sendable {
    var index: Int
    var channel: Int
    /// The channel's id (lower-case UUID).
    var channelID: String
    var token: String
    /// Messages per second this client publishes to its channel (0: it only listens).
    var publishRate: Double
    var phase: Double
    /// `client_id` of publish *n* is this prefix followed by *n*: unique per run.
    var clientIDPrefix: String
    /// Size of each published body: `t=<monotonic ns>;w=<unix µs>;` then padding.
    var bodyBytes: Int
}

/// One WebSocket client of the chat load test, driven entirely on its event loop:
/// `auth` → `authenticated` → `subscribe` → `subscribed` (then `ready` succeeds), then
/// it records every `message` event in its ledger and the end-to-end latency from the
/// send time embedded in the body; publishers also send `publish` when the loop's
/// clock says so and time the `ack`.
final class ChatConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum Phase { case authenticating, subscribing, ready, closing, closed }

    let spec: ChatConnectionSpec
    private let driver: ChatLoopDriver
    private let ready: EventLoopPromise<Void>
    private let channelBytes: [UInt8]
    private var context: ChannelHandlerContext?
    private var phase = Phase.authenticating
    private(set) var ledger: SubscriberLedger
    /// Whether `subscribed` arrived (only such connections are expected to receive).
    private(set) var becameReady = false
    /// Messages published (first attempts); message *n* has `client_id` prefix + *n*.
    private(set) var sent = 0
    private var nextRequestID: Int64 = 1
    /// A publish awaiting its ack, by request id.
    private struct Pending {
        var message: Int
        var sentAt: UInt64
        var wallMicros: Int64
        var attempt: Int
    }
    private var awaitingAck: [Int64: Pending] = [:]
    /// Retries after a retryable error (`timeout`, `unavailable`, `internal`), with the
    /// same `client_id`, as the contract tells clients to do; then the publish failed.
    static let maxRetries = 3

    init(spec: ChatConnectionSpec, driver: ChatLoopDriver, ready: EventLoopPromise<Void>) {
        self.spec = spec
        self.driver = driver
        self.ready = ready
        self.channelBytes = Array(spec.channelID.utf8)
        self.ledger = SubscriberLedger(channel: spec.channel)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        driver.register(self)
        // Added while the HTTP upgrade handler still refuses writes: authenticate on the
        // next loop turn, once the upgrade has completed.
        context.eventLoop.assumeIsolated().execute { [self] in
            guard phase == .authenticating, let context = self.context else { return }
            send(#"{"op":"auth","id":0,"token":""# + spec.token + #""}"#, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            received(frame.data, context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.data)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var data = frame.data
            let code = data.readInteger(as: UInt16.self).map(Int.init) ?? 1005
            driver.stats.closeCodes[code, default: 0] += 1
            if phase != .closing { fail("closed by the edge with code \(code)") }
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if phase != .closing && phase != .closed { fail("connection lost") }
        phase = .closed
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)")
        context.close(promise: nil)
    }

    /// Closes the connection on purpose (end of run).
    func close() -> EventLoopFuture<Void> {
        guard let context, phase != .closed else { return driver.eventLoop.makeSucceededVoidFuture() }
        phase = .closing
        let promise = driver.eventLoop.makePromise(of: Void.self)
        context.close(promise: promise)
        return promise.futureResult.recover { _ in }
    }

    /// Sends the next message (its body starts with `now`). False if the connection is not ready.
    func publish(now: UInt64) -> Bool {
        guard phase == .ready, let context else { return false }
        sent += 1
        driver.stats.published += 1
        send(Pending(message: sent, sentAt: now, wallMicros: Self.wallMicros(), attempt: 0), context: context)
        return true
    }

    private func send(_ publish: Pending, context: ChannelHandlerContext) {
        let id = nextRequestID
        nextRequestID += 1
        var buffer = context.channel.allocator.buffer(capacity: 160 + spec.bodyBytes)
        buffer.writeString(#"{"op":"publish","id":"#)
        buffer.writeString(String(id))
        buffer.writeString(#","channel":""#)
        buffer.writeBytes(channelBytes)
        buffer.writeString(#"","client_id":""#)
        buffer.writeString(spec.clientIDPrefix)
        buffer.writeString(String(publish.message))
        buffer.writeString(#"","body":"t="#)
        // The wall-clock send time too, to line the message up with PostgreSQL's
        // created_at and Kafka record timestamps when analysing a run.
        let stamp = String(publish.sentAt) + ";w=" + String(publish.wallMicros) + ";"
        buffer.writeString(stamp)
        buffer.writeRepeatingByte(UInt8(ascii: "x"), count: max(0, spec.bodyBytes - 2 - stamp.utf8.count))
        buffer.writeString(#""}"#)
        awaitingAck[id] = publish
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)),
                              promise: nil)
    }

    /// Wall-clock microseconds since 1970 (to correlate with the servers' timestamps).
    static func wallMicros() -> Int64 {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return Int64(wall.tv_sec) * 1_000_000 + Int64(wall.tv_nsec) / 1_000
    }

    // MARK: - Server objects

    private func received(_ data: ByteBuffer, context: ChannelHandlerContext) {
        let now = nowNanos()
        let op = data.withUnsafeReadableBytes { ChatEventScanner.op($0) }
        switch op {
        case .message:
            let (seq, sendTime, sameChannel) = data.withUnsafeReadableBytes { bytes in
                (ChatEventScanner.seq(bytes), ChatEventScanner.sendTime(bytes),
                 ChatEventScanner.channel(bytes, is: channelBytes))
            }
            guard let seq, sameChannel else {
                driver.stats.wrongChannel += 1
                return
            }
            if ledger.receive(seq: seq) == .duplicate { return }
            driver.stats.deliveries += 1
            guard let window = driver.window else { return }
            if window.contains(now) { driver.stats.deliveriesInWindow += 1 }
            if let sendTime, window.contains(sendTime), now >= sendTime {
                driver.stats.endToEnd.record(nanoseconds: now - sendTime)
            }
        case .ack:
            let (id, seq) = data.withUnsafeReadableBytes { (ChatEventScanner.requestID($0), ChatEventScanner.seq($0)) }
            guard let id, let seq, let publish = awaitingAck.removeValue(forKey: id) else {
                driver.stats.otherEvents += 1
                return
            }
            driver.stats.acked += 1
            driver.stats.ackedSeqs[spec.channel, default: []].append(seq)
            if driver.tracing {
                driver.stats.trace.append(.init(clientID: spec.clientIDPrefix + String(publish.message),
                                                sentMicros: publish.wallMicros, ackedMicros: Self.wallMicros(), seq: seq))
            }
            if let window = driver.window, window.contains(publish.sentAt) {
                driver.stats.ack.record(nanoseconds: now - publish.sentAt)
            }
        case .presence, .typing:
            driver.stats.presenceEvents += 1
        case .authenticated:
            guard phase == .authenticating else { return }
            phase = .subscribing
            send(#"{"op":"subscribe","id":0,"channel":""# + spec.channelID + #""}"#, context: context)
        case .subscribed:
            guard phase == .subscribing,
                  let subscribed = ChatControlEvent.decode(ChatControlEvent.Subscribed.self, data) else { return }
            ledger.subscribed(at: subscribed.seq)
            phase = .ready
            becameReady = true
            ready.succeed()
        case .error:
            let event = ChatControlEvent.decode(ChatControlEvent.ErrorEvent.self, data)
            let code = event?.code ?? "unparsed"
            driver.stats.errorCodes[code, default: 0] += 1
            if let id = event?.id, id > 0, var publish = awaitingAck.removeValue(forKey: id) {
                if ["timeout", "unavailable", "internal"].contains(code), publish.attempt < Self.maxRetries, phase == .ready {
                    publish.attempt += 1
                    driver.stats.retries += 1
                    send(publish, context: context)
                } else {
                    driver.stats.publishErrors += 1
                }
            }
            if phase == .authenticating || phase == .subscribing {
                fail("\(code): \(event?.message ?? String(buffer: data))")
                context.close(promise: nil)
            }
        case .other:
            driver.stats.otherEvents += 1
        }
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(string: text)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)),
                              promise: nil)
    }

    /// Counts an unexpected end once and fails `ready` if still pending.
    private func fail(_ reason: String) {
        guard phase != .closing, phase != .closed else { return }
        if phase == .ready {
            driver.stats.unexpectedCloses += 1
        } else {
            ready.fail(ChatConnectionError(reason: reason))
        }
        phase = .closing
    }
}

struct ChatConnectionError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

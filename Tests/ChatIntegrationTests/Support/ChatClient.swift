import IntegrationSupport
import Foundation
import HummingbirdWSClient
import Synchronization

/// A real WebSocket client (HummingbirdWSClient) on an edge's `/ws`. Every received
/// object is kept, in arrival order, for the test to inspect; the close code the
/// server sent (if any) is kept when the connection ends.
final class ChatClient: Sendable {
    let name: String
    let port: Int
    private struct State {
        var events: [ChatEvent] = []
        var open = false
        var finished = false
        var closeCode: UInt16?
        var failure: String?
    }
    private enum Outgoing: Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }
    private let state = Mutex(State())
    private let outgoing: AsyncStream<Outgoing>.Continuation
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let requestIDs = Atomic<Int>(1)

    private init(name: String, port: Int, outgoing: AsyncStream<Outgoing>.Continuation) {
        self.name = name
        self.port = port
        self.outgoing = outgoing
    }

    /// Connects (with `?token=` if given) and waits for the upgrade.
    static func connect(port: Int, name: String, queryToken: String? = nil, timeout: Duration = .seconds(5)) async throws -> ChatClient {
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        let client = ChatClient(name: name, port: port, outgoing: continuation)
        let url = "ws://127.0.0.1:\(port)/ws" + (queryToken.map { "?token=\($0)" } ?? "")
        let running = Task {
            do {
                let frame = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20), logger: .init(label: "chat-client")
                ) { inbound, outbound, _ in
                    client.state.withLock { $0.open = true }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await item in stream {
                                switch item {
                                case .text(let text): try await outbound.write(.text(text))
                                case .binary(let bytes): try await outbound.write(.binary(.init(bytes: bytes)))
                                case .close:
                                    try await outbound.close(.normalClosure, reason: "bye")
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            guard case .text(let text) = message else { continue }
                            let event = ChatEvent.parse(text)
                            client.state.withLock { $0.events.append(event) }
                        }
                        group.cancelAll()
                    }
                }
                let code = frame.map { frame -> UInt16 in
                    switch frame.closeCode {
                    case .normalClosure: 1000
                    case .goingAway: 1001
                    case .protocolError: 1002
                    case .unacceptableData: 1003
                    case .dataInconsistentWithMessage: 1007
                    case .policyViolation: 1008
                    case .messageTooLarge: 1009
                    case .missingExtension: 1010
                    case .unexpectedServerError: 1011
                    case .unknown(let value): value
                    }
                }
                client.state.withLock {
                    $0.closeCode = code
                    $0.finished = true
                }
            } catch {
                client.state.withLock {
                    $0.failure = "\(error)"
                    $0.finished = true
                }
            }
            continuation.finish()
        }
        client.task.withLock { $0 = running }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (open, finished, failure) = client.state.withLock { ($0.open, $0.finished, $0.failure) }
            if open { return client }
            if finished { throw TestFailure("\(name): WebSocket to :\(port) failed: \(failure ?? "closed during upgrade")") }
            try await Task.sleep(for: .milliseconds(5))
        }
        client.abandon()
        throw TestFailure("\(name): no WebSocket upgrade from :\(port) within \(timeout)")
    }

    // MARK: Sending

    func nextID() -> Int { requestIDs.wrappingAdd(1, ordering: .relaxed).oldValue }

    func send(_ object: [String: any Sendable]) {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        send(raw: String(decoding: data, as: UTF8.self))
    }

    func send(raw text: String) { outgoing.yield(.text(text)) }

    /// A binary frame (not part of the protocol).
    func send(binary bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Starts a normal close (1000).
    func close() {
        outgoing.yield(.close)
        outgoing.finish()
    }

    /// Drops the connection without a close handshake.
    func abandon() { task.withLock { $0?.cancel() } }

    // MARK: Receiving

    var events: [ChatEvent] { state.withLock { $0.events } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var closeCode: UInt16? { state.withLock { $0.closeCode } }

    /// Message events of `channel`, in arrival order.
    func messages(_ channel: String) -> [ChatEvent] { events.filter { $0.op == "message" && $0.channel == channel } }

    /// The first received event matching `match`, waiting up to `timeout` for it.
    func first(_ what: String, timeout: Duration = .seconds(10), where match: (ChatEvent) -> Bool) async throws -> ChatEvent {
        if let event = try await firstIfAny(timeout: timeout, where: match) { return event }
        throw TestFailure("\(name): no \(what) within \(timeout); finished=\(isFinished) close=\(closeCode.map(String.init) ?? "-"); last events:\n"
                          + events.suffix(8).map(\.raw).joined(separator: "\n"))
    }

    /// Like `first`, but nil on timeout or when the connection ends without it.
    func firstIfAny(timeout: Duration, where match: (ChatEvent) -> Bool) async throws -> ChatEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, finished) = state.withLock { ($0.events.first(where: match), $0.finished) }
            if let found { return found }
            if finished || ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The close code the server ends a connection with, connecting up to three times:
    /// HummingbirdWSClient sometimes misses a close frame that arrives right behind the 101
    /// response (and then the server's FIN too), so a connection that neither closes nor
    /// answers within 4 s is abandoned and tried again. `start` sends what provokes the close.
    static func closeCode(port: Int, name: String, queryToken: String? = nil,
                          _ start: (ChatClient) -> Void = { _ in }) async throws -> UInt16? {
        for attempt in 1...3 {
            let client = try await connect(port: port, name: "\(name) #\(attempt)", queryToken: queryToken)
            start(client)
            if let code = try? await client.closed(timeout: .seconds(4)) { return code }
            client.abandon()
        }
        throw TestFailure("\(name): the server never closed the connection (3 attempts)")
    }

    /// Waits for the connection to end; returns the close code the server sent (nil if none).
    func closed(timeout: Duration = .seconds(10)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while !isFinished {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(name): connection still open after \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return closeCode
    }

    // MARK: Requests

    /// `auth` → `authenticated`.
    @discardableResult
    func auth(_ token: String) async throws -> ChatEvent {
        let id = nextID()
        send(["op": "auth", "token": token, "id": id])
        return try await first("authenticated") { $0.op == "authenticated" && $0.id == String(id) }
    }

    /// `subscribe` → `subscribed` (throws on an error reply).
    @discardableResult
    func subscribe(_ channel: String, since: Int64? = nil) async throws -> ChatEvent {
        let id = nextID()
        var request: [String: any Sendable] = ["op": "subscribe", "channel": channel, "id": id]
        if let since { request["since"] = since }
        send(request)
        let reply = try await first("reply to subscribe \(channel)", timeout: .seconds(15)) {
            ($0.op == "subscribed" || $0.op == "error") && $0.id == String(id)
        }
        guard reply.op == "subscribed" else { throw TestFailure("\(name): subscribe \(channel) failed: \(reply.raw)") }
        return reply
    }

    /// One `publish` attempt: the `ack` or `error` reply, or nil on timeout / connection end.
    func publishOnce(_ channel: String, clientID: String, body: String, timeout: Duration) async throws -> ChatEvent? {
        let id = nextID()
        send(["op": "publish", "channel": channel, "client_id": clientID, "body": body, "id": id])
        return try await firstIfAny(timeout: timeout) { ($0.op == "ack" || $0.op == "error") && $0.id == String(id) }
    }
}

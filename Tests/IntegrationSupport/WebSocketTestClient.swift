import Foundation
import HummingbirdWSClient
import Synchronization

/// A real WebSocket client (HummingbirdWSClient) on an edge's `/ws`. Every received text
/// frame that `decode` accepts is kept, in arrival order, for the test to inspect; the close
/// code the server sent (if any) is kept when the connection ends.
public final class WebSocketTestClient<Event: Sendable>: Sendable {
    public let name: String
    public let port: Int
    private struct State {
        var events: [Event] = []
        var open = false
        var finished = false
        var closeCode: UInt16?
        var closeReason: String?
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
    public static func connect(port: Int, name: String, queryToken: String? = nil, timeout: Duration = .seconds(30),
                               decode: @escaping @Sendable (String) -> Event?) async throws -> WebSocketTestClient {
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        let client = WebSocketTestClient(name: name, port: port, outgoing: continuation)
        let url = "ws://127.0.0.1:\(port)/ws" + (queryToken.map { "?token=\($0)" } ?? "")
        let running = Task {
            do {
                let frame = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20), logger: .init(label: "it-websocket")
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
                            guard case .text(let text) = message, let event = decode(text) else { continue }
                            client.state.withLock { $0.events.append(event) }
                        }
                        group.cancelAll()
                    }
                }
                // The number of the close code (RFC 6455 §7.4).
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
                    $0.closeReason = frame?.reason
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

    /// A fresh request id.
    public func nextID() -> Int { requestIDs.wrappingAdd(1, ordering: .relaxed).oldValue }

    public func send(_ object: [String: any Sendable]) {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        send(raw: String(decoding: data, as: UTF8.self))
    }

    public func send(raw text: String) { outgoing.yield(.text(text)) }

    /// A binary frame (not part of the protocol).
    public func send(binary bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Starts a normal close (1000).
    public func close() {
        outgoing.yield(.close)
        outgoing.finish()
    }

    /// Closes and waits for the connection to end.
    public func finish() async {
        close()
        await task.withLock { $0 }?.value
    }

    /// Drops the connection without a close handshake.
    public func abandon() { task.withLock { $0?.cancel() } }

    // MARK: Receiving

    public var events: [Event] { state.withLock { $0.events } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    public var closeCode: UInt16? { state.withLock { $0.closeCode } }

    /// The first received event matching `match`, waiting up to `timeout` for it.
    public func first(_ what: String, timeout: Duration = .seconds(30), where match: (Event) -> Bool) async throws -> Event {
        if let event = try await firstIfAny(timeout: timeout, where: match) { return event }
        throw TestFailure("\(name): no \(what) within \(timeout); finished=\(isFinished) close=\(closeCode.map(String.init) ?? "-") \(state.withLock { $0.closeReason } ?? ""); last events:\n"
                          + events.suffix(8).map { "\($0)" }.joined(separator: "\n"))
    }

    /// Like `first`, but nil on timeout or when the connection ends without it.
    public func firstIfAny(timeout: Duration, where match: (Event) -> Bool) async throws -> Event? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, finished) = state.withLock { ($0.events.first(where: match), $0.finished) }
            if let found { return found }
            if finished || ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the connection to end; returns the close code the server sent (nil if none).
    public func closed(timeout: Duration = .seconds(30)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while !isFinished {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(name): connection still open after \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return closeCode
    }
}

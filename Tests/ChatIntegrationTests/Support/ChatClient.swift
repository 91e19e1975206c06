import Foundation
import IntegrationSupport

/// A chat connection: every received object decoded loosely as a `ChatEvent`.
typealias ChatClient = WebSocketTestClient<ChatEvent>

extension WebSocketTestClient where Event == ChatEvent {
    /// Connects (with `?token=` if given) and waits for the upgrade.
    static func connect(port: Int, name: String, queryToken: String? = nil,
                        timeout: Duration = .seconds(30)) async throws -> ChatClient {
        try await connect(port: port, name: name, queryToken: queryToken, timeout: timeout) { ChatEvent.parse($0) }
    }

    /// Message events of `channel`, in arrival order.
    func messages(_ channel: String) -> [ChatEvent] { events.filter { $0.op == "message" && $0.channel == channel } }

    /// The close code the server ends a connection with, connecting up to three times:
    /// HummingbirdWSClient sometimes misses a close frame that arrives right behind the 101
    /// response (and then the server's FIN too), so a connection that neither closes nor
    /// answers within 8 s is abandoned and tried again. `start` sends what provokes the close.
    static func closeCode(port: Int, name: String, queryToken: String? = nil,
                          _ start: (ChatClient) -> Void = { _ in }) async throws -> UInt16? {
        for attempt in 1...5 {
            let client = try await connect(port: port, name: "\(name) #\(attempt)", queryToken: queryToken)
            start(client)
            if let code = try? await client.closed(timeout: .seconds(8)) { return code }
            client.abandon()
        }
        throw TestFailure("\(name): the server never closed the connection (5 attempts)")
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

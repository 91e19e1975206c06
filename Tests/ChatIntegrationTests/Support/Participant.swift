import IntegrationSupport
import Foundation

/// A user's client that behaves as the contract asks of a real one: it retries a
/// publish with the same `client_id` until acked, and when its connection drops it
/// reconnects (to the next edge that answers), re-authenticates and resubscribes
/// with `since` = the last seq it saw. Everything it received is kept per connection.
actor Participant {
    let name: String
    let account: REST.Account
    /// Edge HTTP ports, tried in order starting with `current`.
    var edges: [Int]
    private var current = 0
    private(set) var client: ChatClient
    /// Every connection so far, oldest first (the last is `client`).
    private(set) var connections: [ChatClient] = []
    private(set) var channels: [String] = []
    /// `subscribed` replies, per connection, per channel.
    private(set) var subscribedReplies: [ChatEvent] = []
    /// Every ack seen, per `channel|client_id` (retries add more; all must agree).
    private(set) var acks: [String: [Int64]] = [:]
    private(set) var attempts = 0

    private init(name: String, account: REST.Account, edges: [Int], client: ChatClient) {
        self.name = name
        self.account = account
        self.edges = edges
        self.client = client
        self.connections = [client]
    }

    static func join(_ name: String, account: REST.Account, edges: [Int]) async throws -> Participant {
        let client = try await ChatClient.connect(port: edges[0], name: "\(name)#0")
        try await client.auth(account.token)
        return Participant(name: name, account: account, edges: edges, client: client)
    }

    func subscribe(_ channel: String) async throws {
        subscribedReplies.append(try await client.subscribe(channel))
        channels.append(channel)
    }

    /// Message events of `channel` received over all connections, in arrival order.
    func received(_ channel: String) -> [ChatEvent] { connections.flatMap { $0.messages(channel) } }

    /// The highest seq seen in `channel` (what a client sends as `since`).
    func lastSeq(_ channel: String) -> Int64 { received(channel).compactMap(\.seq).max() ?? 0 }

    /// Closes the connection on purpose (a client going through a tunnel).
    func drop() { client.close() }

    /// Reconnects to the first edge that answers, starting after the current one unless
    /// `sameEdge`, and resumes every subscription with `since`.
    func reconnect(sameEdge: Bool = false, deadline: Duration = .seconds(30)) async throws {
        let until = ContinuousClock.now + deadline
        if !sameEdge { current += 1 }
        while true {
            let port = edges[current % edges.count]
            do {
                let fresh = try await ChatClient.connect(port: port, name: "\(name)#\(connections.count)", timeout: .seconds(3))
                try await fresh.auth(account.token)
                client = fresh
                connections.append(fresh)
                for channel in channels {
                    subscribedReplies.append(try await fresh.subscribe(channel, since: lastSeq(channel)))
                }
                return
            } catch {
                guard ContinuousClock.now < until else { throw TestFailure("\(name): could not reconnect: \(error)") }
                current += 1
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Publishes until acked, retrying with the same `client_id` after an error, a
    /// timeout or a lost connection. Returns the acked seq.
    @discardableResult
    func publish(_ channel: String, clientID: String, body: String? = nil,
                 attemptTimeout: Duration = .seconds(8), deadline: Duration = .seconds(60)) async throws -> Int64 {
        let until = ContinuousClock.now + deadline
        var last = "nothing"
        while ContinuousClock.now < until {
            if client.isFinished { try await reconnect() }
            attempts += 1
            let reply = try await client.publishOnce(channel, clientID: clientID, body: body ?? "\(name) \(clientID)",
                                                     timeout: attemptTimeout)
            if let reply, reply.op == "ack", let seq = reply.seq {
                acks["\(channel)|\(clientID)", default: []].append(seq)
                return seq
            }
            if let reply, ["not_found", "forbidden", "bad_request", "too_large", "invalid_input"].contains(reply.code ?? "") {
                throw TestFailure("\(name): publish \(clientID) refused: \(reply.raw)")
            }
            last = reply?.raw ?? (client.isFinished ? "connection closed" : "no reply in \(attemptTimeout)")
            if reply?.code == "rate_limited" || reply != nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        throw TestFailure("\(name): publish \(clientID) not acked within \(deadline); last: \(last)")
    }

    /// Sends a publish and closes the connection before its answer can arrive, then
    /// reconnects (to the other edge unless `sameEdge`); the caller retries the publish
    /// with the same `client_id`.
    func publishAndDrop(_ channel: String, clientID: String, body: String? = nil, sameEdge: Bool = false) async throws {
        attempts += 1
        client.send(["op": "publish", "channel": channel, "client_id": clientID,
                     "body": body ?? "\(name) \(clientID)", "id": client.nextID()])
        client.close()
        _ = try await client.closed(timeout: .seconds(10))
        try await reconnect(sameEdge: sameEdge)
    }

    /// Waits until this participant has seen seq `through` in `channel`, reconnecting
    /// if its connection drops meanwhile.
    func waitUntilSeen(_ channel: String, through seq: Int64, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while lastSeq(channel) < seq {
            guard ContinuousClock.now < deadline else { return false }
            if client.isFinished { try await reconnect() }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}

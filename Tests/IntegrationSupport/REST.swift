import Foundation

/// The public REST API (`/api/v1` on an edge), spoken with curl, a real client.
public struct REST: Sendable {
    public let port: Int

    public init(port: Int) { self.port = port }

    public struct Account: Sendable {
        public var id: String
        public var username: String
        public var token: String
    }

    /// A message as history returns it (and as the `message` event carries it).
    public struct Message: Decodable, Sendable, Equatable {
        public var channel: String
        public var seq: Int64
        public var id: String
        public var client_id: String
        public var author: String
        public var body: String
        public var ts: String
    }

    /// An answer: the status and body of the `CurlResult`, read as the API's JSON.
    public typealias Answer = CurlResult

    /// One request with curl.
    public func call(_ method: String, _ path: String, json: [String: any Sendable]? = nil,
                     token: String? = nil) async throws -> Answer {
        var arguments = ["-X", method]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let json {
            arguments += ["-H", "Content-Type: application/json",
                          "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)]
        }
        return try await curl("http://127.0.0.1:\(port)/api/v1\(path)", arguments, maxTime: 30)
    }

    /// `request`, repeated while the edge answers 503 (`unavailable`: the contract's "retry
    /// later", e.g. while a link to an origin reconnects on a loaded machine) or not at all
    /// (status 0: curl's time limit), for up to 60 s.
    public func retryingUnavailable(_ request: () async throws -> Answer) async throws -> Answer {
        let deadline = ContinuousClock.now + .seconds(60)
        var answer = try await request()
        while answer.status == 503 || answer.status == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            answer = try await request()
        }
        return answer
    }

    public func signup(_ prefix: String) async throws -> Account {
        struct Body: Decodable { struct User: Decodable { var id: String; var username: String }; var user: User; var access_token: String }
        let name = "\(prefix)\(UUID().uuidString.prefix(8).lowercased())"
        let credentials: [String: any Sendable] = ["username": name, "password": "correct-horse-battery"]
        var answer = try await retryingUnavailable { try await call("POST", "/auth/signup", json: credentials) }
        if answer.status == 409 {
            // An earlier attempt answered 503 but the origin had created the account.
            answer = try await retryingUnavailable { try await call("POST", "/auth/login", json: credentials) }
        }
        guard answer.status == 201 || answer.status == 200 else { throw TestFailure("signup: HTTP \(answer.status) \(answer.text)") }
        let body = try answer.decode(Body.self)
        return Account(id: body.user.id, username: body.user.username, token: body.access_token)
    }

    public func createChannel(_ owner: Account, private isPrivate: Bool = false) async throws -> String {
        struct Body: Decodable { var id: String }
        let answer = try await retryingUnavailable {
            try await call("POST", "/channels", json: ["name": "it-\(UUID().uuidString.prefix(6))", "private": isPrivate],
                           token: owner.token)
        }
        guard answer.status == 201 || answer.status == 200 else { throw TestFailure("create channel: HTTP \(answer.status) \(answer.text)") }
        return try answer.decode(Body.self).id
    }

    public func addMember(_ actor: Account, channel: String, user: String) async throws -> Answer {
        try await call("POST", "/channels/\(channel)/members", json: ["user_id": user], token: actor.token)
    }

    public func history(_ reader: Account, channel: String, after: Int64 = 0, limit: Int = 500) async throws -> Answer {
        try await call("GET", "/channels/\(channel)/messages?after=\(after)&limit=\(limit)", token: reader.token)
    }

    /// The whole history of a channel, oldest first; throws unless 200.
    public func messages(_ reader: Account, channel: String) async throws -> [Message] {
        struct Body: Decodable { var messages: [Message] }
        var all: [Message] = []
        while true {
            let answer = try await history(reader, channel: channel, after: all.last?.seq ?? 0)
            guard answer.status == 200 else { throw TestFailure("history: HTTP \(answer.status) \(answer.text)") }
            let page = try answer.decode(Body.self).messages
            all += page
            if page.count < 500 { return all }
        }
    }
}

import IntegrationSupport
import Foundation

/// The public REST API (`/api/v1` on an edge), spoken with curl, a real client.
struct REST: Sendable {
    let port: Int

    struct Account: Sendable {
        var id: String
        var username: String
        var token: String
    }

    /// A message as history returns it (and as the `message` event carries it).
    struct Message: Decodable, Sendable, Equatable {
        var channel: String
        var seq: Int64
        var id: String
        var client_id: String
        var author: String
        var body: String
        var ts: String
    }

    struct Answer: Sendable {
        var status: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: body) } catch {
                throw TestFailure("cannot decode \(T.self) from HTTP \(status): \(text)")
            }
        }
        /// `error.code` of a `{error: {code, message}}` body.
        var errorCode: String? {
            struct Body: Decodable { struct Detail: Decodable { var code: String }; var error: Detail }
            return try? JSONDecoder().decode(Body.self, from: body).error.code
        }
    }

    /// One request with curl.
    func call(_ method: String, _ path: String, json: [String: any Sendable]? = nil, token: String? = nil) async throws -> Answer {
        var arguments = ["-s", "--max-time", "15", "-X", method, "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/api/v1\(path)"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let json {
            arguments += ["-H", "Content-Type: application/json",
                          "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)]
        }
        let (_, output) = try await ChildProcess.run("/usr/bin/curl", arguments)
        guard let newline = output.lastIndex(of: UInt8(ascii: "\n")) else { return Answer(status: 0, body: output) }
        let status = Int(String(decoding: output[(newline + 1)...], as: UTF8.self)) ?? 0
        return Answer(status: status, body: output[..<newline])
    }

    func signup(_ prefix: String) async throws -> Account {
        struct Body: Decodable { struct User: Decodable { var id: String; var username: String }; var user: User; var access_token: String }
        let name = "\(prefix)\(UUID().uuidString.prefix(8).lowercased())"
        let answer = try await call("POST", "/auth/signup", json: ["username": name, "password": "correct-horse-battery"])
        guard answer.status == 201 || answer.status == 200 else { throw TestFailure("signup: HTTP \(answer.status) \(answer.text)") }
        let body = try answer.decode(Body.self)
        return Account(id: body.user.id, username: body.user.username, token: body.access_token)
    }

    func createChannel(_ owner: Account, private isPrivate: Bool = false) async throws -> String {
        struct Body: Decodable { var id: String }
        let answer = try await call("POST", "/channels", json: ["name": "it-\(UUID().uuidString.prefix(6))", "private": isPrivate],
                                    token: owner.token)
        guard answer.status == 201 || answer.status == 200 else { throw TestFailure("create channel: HTTP \(answer.status) \(answer.text)") }
        return try answer.decode(Body.self).id
    }

    func addMember(_ actor: Account, channel: String, user: String) async throws -> Answer {
        try await call("POST", "/channels/\(channel)/members", json: ["user_id": user], token: actor.token)
    }

    func history(_ reader: Account, channel: String, after: Int64 = 0, limit: Int = 500) async throws -> Answer {
        try await call("GET", "/channels/\(channel)/messages?after=\(after)&limit=\(limit)", token: reader.token)
    }

    /// The whole history of a channel, oldest first; throws unless 200.
    func messages(_ reader: Account, channel: String) async throws -> [Message] {
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

import Foundation

/// Creates what a run needs through the public REST API: the users (a signup costs an
/// scrypt hash on the origin, so they are shared by several connections and created
/// concurrently) and the public channels. Names carry the run id, so runs never collide.
struct ChatSetup: Sendable {
    private struct Credentials: Encodable {
        var username: String
        var password: String
    }
    private struct Session: Decodable {
        struct User: Decodable { var id: String }
        var user: User
        var access_token: String
    }
    private struct NewChannel: Encodable {
        var name: String
        var `private`: Bool
    }
    private struct Channel: Decodable { var id: String }

    let client: RESTClient
    let edges: [EdgeAddress]
    let runID: String
    /// Requests in flight at once.
    let concurrency: Int

    /// Signs up `count` users; returns their access tokens in order.
    func signUp(_ count: Int) async throws -> [String] {
        try await concurrently(count) { index in
            let session = try await client.post(
                "/api/v1/auth/signup", on: edges[index % edges.count],
                body: Credentials(username: "ld\(runID)u\(index)", password: "load-test-password"), as: Session.self)
            return session.access_token
        }
    }

    /// Creates `count` public channels with `token`'s user; returns their ids in order.
    func createChannels(_ count: Int, token: String) async throws -> [String] {
        try await concurrently(count) { index in
            try await client.post(
                "/api/v1/channels", on: edges[index % edges.count],
                body: NewChannel(name: "load \(runID) #\(index)", private: false), token: token, as: Channel.self).id
        }
    }

    /// Runs `work` for 0..<count with at most `concurrency` in flight; results in index order.
    private func concurrently(_ count: Int, _ work: @escaping @Sendable (Int) async throws -> String) async throws -> [String] {
        var results = [String](repeating: "", count: count)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            while next < min(concurrency, count) {
                let index = next
                group.addTask { (index, try await work(index)) }
                next += 1
            }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count {
                    let index = next
                    group.addTask { (index, try await work(index)) }
                    next += 1
                }
            }
        }
        return results
    }
}

import Foundation
import IntegrationSupport
import Testing

extension ChatEndToEnd {
    /// Issue 11, item 5, against real processes: per-IP (edge) and per-account (origin) rates
    /// on the account endpoints, the bounded password-hashing pool, paginated and limited
    /// channels, per-user upload quotas and the sweep of never-completed uploads.
    @Suite("Rates and quotas")
    struct RatesAndQuotas {
        struct ErrorBody: Decodable {
            struct Detail: Decodable { var code: String; var message: String; var retry_after: Int? }
            var error: Detail
        }

        /// Checks a 429: `Retry-After` whole seconds within `1...maxWait`, the same in the body.
        static func expectRateLimited(_ answer: CurlResult, maxWait: Int, _ what: String) {
            #expect(answer.status == 429, "\(what): HTTP \(answer.status) \(answer.text)")
            let header = Int(answer.headers["retry-after"] ?? "")
            #expect(header.map { (1...maxWait).contains($0) } == true, "\(what): Retry-After \(answer.headers["retry-after"] ?? "none")")
            let body = try? answer.decode(ErrorBody.self)
            #expect(body?.error.code == "rate_limited", "\(what): \(answer.text)")
            #expect(body?.error.retry_after == header, "\(what): \(answer.text)")
        }

        static func credentials(_ name: String, _ password: String = "wrong-password-1") -> [String: any Sendable] {
            ["username": name, "password": password]
        }

        @Test("sign-ups and log-ins are limited per IP at each edge and per account at the origins")
        func accountEndpointRates() async throws {
            var options = TestCluster.Options.chat()
            options.edgeEnvironment = ["STREAMLY_AUTH_IP_SIGNUP_PER_MINUTE": "3", "STREAMLY_AUTH_IP_LOGIN_PER_MINUTE": "5",
                                       "STREAMLY_AUTH_IP_REFRESH_PER_MINUTE": "4"]
            options.originEnvironment["STREAMLY_AUTH_ACCOUNT_LOGIN_PER_MINUTE"] = "3"
            options.originEnvironment["STREAMLY_AUTH_ACCOUNT_REFRESH_PER_MINUTE"] = "2"
            try await TestCluster.with(options, origins: ["ra"], edges: [("ea", ["ra"]), ("eb", ["ra"])]) { cluster in
                let edgeA = cluster.rest("ea")
                let edgeB = cluster.rest("eb")

                // Per IP, edge A: 3 sign-ups, then 429 before any origin work.
                for index in 0..<3 {
                    let answer = try await edgeA.call("POST", "/auth/signup",
                                                      json: Self.credentials("flood\(index)\(cluster.run)", "correct-horse-1"))
                    #expect(answer.status == 201, "signup \(index): \(answer.text)")
                }
                Self.expectRateLimited(try await edgeA.call("POST", "/auth/signup",
                                                            json: Self.credentials("flood9\(cluster.run)", "correct-horse-1")),
                                       maxWait: 20, "4th signup from one IP")
                // Per IP, edge A: 5 log-ins (wrong or unknown: 401), then 429.
                for index in 0..<5 {
                    let answer = try await edgeA.call("POST", "/auth/login", json: Self.credentials("nobody\(index)"))
                    #expect(answer.status == 401, "login \(index): \(answer.text)")
                }
                Self.expectRateLimited(try await edgeA.call("POST", "/auth/login", json: Self.credentials("nobody9")),
                                       maxWait: 12, "6th login from one IP")

                // Edge B has buckets of its own. Per account (origin): 3 log-ins of alice a
                // minute, even with the right password after wrong ones; bob is not affected.
                let alice = "alice\(cluster.run)", bob = "bob\(cluster.run)"
                for name in [alice, bob] {
                    let answer = try await edgeB.call("POST", "/auth/signup", json: Self.credentials(name, "correct-horse-1"))
                    #expect(answer.status == 201, "\(answer.text)")
                }
                for _ in 0..<3 {
                    #expect(try await edgeB.call("POST", "/auth/login", json: Self.credentials(alice)).status == 401)
                }
                Self.expectRateLimited(try await edgeB.call("POST", "/auth/login", json: Self.credentials(alice, "correct-horse-1")),
                                       maxWait: 20, "4th login of one account")
                let bobLogin = try await edgeB.call("POST", "/auth/login", json: Self.credentials(bob, "correct-horse-1"))
                #expect(bobLogin.status == 200, "another account logs in: \(bobLogin.text)")

                // Per account refreshes: 2 a minute for bob (each rotates the token).
                struct Session: Decodable { var refresh_token: String }
                var refresh = try bobLogin.decode(Session.self).refresh_token
                for _ in 0..<2 {
                    let answer = try await edgeB.call("POST", "/auth/refresh", json: ["refresh_token": refresh])
                    #expect(answer.status == 200, "\(answer.text)")
                    refresh = try answer.decode(Session.self).refresh_token
                }
                Self.expectRateLimited(try await edgeB.call("POST", "/auth/refresh", json: ["refresh_token": refresh]),
                                       maxWait: 30, "3rd refresh of one account")
                // The refused refresh did not consume the token: it still works after the wait
                // would have passed, but per IP edge B allows 4 refreshes; 3 used, one left.
                // Per IP refresh on edge A: 4 (any token), then 429.
                for _ in 0..<4 {
                    #expect(try await edgeA.call("POST", "/auth/refresh", json: ["refresh_token": "bogus"]).status == 401)
                }
                Self.expectRateLimited(try await edgeA.call("POST", "/auth/refresh", json: ["refresh_token": "bogus"]),
                                       maxWait: 15, "5th refresh from one IP")
            }
        }

        /// 24 concurrent log-ins against a pool of 1 thread with room for 2 waiting: the rest
        /// are refused at once (429) instead of queueing, and chat keeps being acked meanwhile.
        @Test("password hashing has a bounded pool of its own: a login flood is refused, chat goes on")
        func loginFloodIsBounded() async throws {
            var options = TestCluster.Options.chat()
            options.originEnvironment["STREAMLY_AUTH_HASH_THREADS"] = "1"
            options.originEnvironment["STREAMLY_AUTH_HASH_QUEUE"] = "2"
            try await TestCluster.with(options, origins: ["rb"], edges: [("ec", ["rb"])]) { cluster in
                try await cluster.warmUp()
                let rest = cluster.rest()
                let chatter = try await Participant.join("chatter", account: try await rest.signup("chatter"),
                                                         edges: [cluster.port("ec")])
                let channel = try await rest.createChannel(chatter.account)
                try await chatter.subscribe(channel)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<24 {
                        group.addTask {
                            try await rest.call("POST", "/auth/login", json: Self.credentials("ghost\(index)")).status
                        }
                    }
                    // Chat during the flood.
                    let seq = try await chatter.publish(channel, clientID: "during-flood", attemptTimeout: .seconds(10),
                                                        deadline: .seconds(30))
                    #expect(seq >= 1)
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses)")
                #expect(statuses.contains(429), "the pool refused some: \(statuses)")
                #expect(statuses.contains(401), "and hashed others: \(statuses)")
                print("[chat-it] login flood on a 1+2 hash pool: \(statuses.filter { $0 == 429 }.count) of 24 refused")
            }
        }

        @Test("channels: paginated, limited per user, names without control characters")
        func channels() async throws {
            var options = TestCluster.Options.chat()
            options.originEnvironment["STREAMLY_QUOTA_CHANNELS_PER_USER"] = "4"
            try await TestCluster.with(options, origins: ["rc"], edges: [("ed", ["rc"])]) { cluster in
                let rest = cluster.rest()
                let owner = try await rest.signup("pager")
                var made: [String] = []
                for index in 0..<4 {
                    let answer = try await rest.call("POST", "/channels", json: ["name": "page \(index)", "private": index == 0],
                                                     token: owner.token)
                    #expect(answer.status == 201, "\(answer.text)")
                    struct Created: Decodable { var id: String }
                    made.append(try answer.decode(Created.self).id)
                }
                let over = try await rest.call("POST", "/channels", json: ["name": "fifth"], token: owner.token)
                #expect(over.status == 403 && over.text.contains("quota_exceeded"), "\(over.status) \(over.text)")
                let control = try await rest.call("POST", "/channels", json: ["name": "evil\u{202E}txt"],
                                                  token: try await rest.signup("other").token)
                #expect(control.status == 400 && control.text.contains("control characters"), "\(control.text)")

                struct Page: Decodable {
                    struct Channel: Decodable { var id: String }
                    var channels: [Channel]
                    var next_cursor: String?
                }
                var seen: [String] = []
                var path = "/channels?limit=3"
                var pages = 0
                while true {
                    let answer = try await rest.call("GET", path, token: owner.token)
                    #expect(answer.status == 200, "\(answer.text)")
                    let page = try answer.decode(Page.self)
                    #expect(page.channels.count <= 3)
                    seen += page.channels.map(\.id)
                    pages += 1
                    guard let next = page.next_cursor, pages < 10 else { break }
                    path = "/channels?limit=3&cursor=\(next)"
                }
                #expect(made.allSatisfy(seen.contains), "every channel of the owner on some page: \(seen)")
                #expect(Set(seen).count == seen.count, "no channel twice")
                for bad in ["/channels?limit=0", "/channels?limit=501", "/channels?limit=x", "/channels?cursor=not-a-cursor"] {
                    let answer = try await rest.call("GET", bad, token: owner.token)
                    #expect(answer.status == 400, "\(bad): \(answer.status) \(answer.text)")
                }
            }
        }

        @Test("uploads: limited per user; a never-completed one is swept with its stored bytes")
        func uploadQuotaAndSweep() async throws {
            var options = TestCluster.Options.chat()
            options.originEnvironment["STREAMLY_QUOTA_UPLOADS_PENDING_PER_USER"] = "1"
            options.originEnvironment["STREAMLY_SWEEP_UPLOAD_AGE_SECONDS"] = "3"
            options.originEnvironment["STREAMLY_SWEEP_INTERVAL_SECONDS"] = "1"
            try await TestCluster.with(options, origins: ["rd"], edges: [("ee", ["rd"])]) { cluster in
                let rest = cluster.rest()
                let user = try await rest.signup("uploader")
                struct Created: Decodable { var id: String; var upload_url: String }
                let first = try await rest.call("POST", "/videos", json: ["title": "abandoned", "size": 10_000], token: user.token)
                #expect(first.status == 201, "\(first.text)")
                let video = try first.decode(Created.self)
                let second = try await rest.call("POST", "/videos", json: ["title": "second", "size": 10], token: user.token)
                #expect(second.status == 403 && second.text.contains("quota_exceeded"), "\(second.status) \(second.text)")

                // Some bytes, then the client goes away.
                let chunk = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(cluster.run)")
                try Data(repeating: 7, count: 1_000).write(to: chunk)
                defer { try? FileManager.default.removeItem(at: chunk) }
                let patch = try await curl(video.upload_url, ["-X", "PATCH", "-H", "Authorization: Bearer \(user.token)",
                                                              "-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0",
                                                              "-H", "Content-Type: application/offset+octet-stream",
                                                              "--data-binary", "@\(chunk.path)"])
                #expect(patch.status == 204, "\(patch.status) \(patch.text)")
                let stored = cluster.storageDirectory
                #expect(Self.files(under: stored).contains { $0.contains(video.id) }, "the bytes are stored")

                // Swept after 3 s of silence (sweeps every second).
                let deadline = ContinuousClock.now + .seconds(60)
                var status = 200
                while ContinuousClock.now < deadline {
                    status = try await rest.call("GET", "/videos/\(video.id)", token: user.token).status
                    if status == 404 { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(status == 404, "the abandoned upload was swept")
                #expect(!Self.files(under: stored).contains { $0.contains(video.id) }, "with its stored bytes")
                let again = try await rest.call("POST", "/videos", json: ["title": "second", "size": 10], token: user.token)
                #expect(again.status == 201, "the quota is free again: \(again.text)")
            }
        }

        /// The regular files under `directory`, as paths relative to it.
        static func files(under directory: URL) -> [String] {
            guard let walk = FileManager.default.enumerator(atPath: directory.path) else { return [] }
            var files: [String] = []
            while let path = walk.nextObject() as? String {
                if (walk.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { files.append(path) }
            }
            return files
        }
    }
}

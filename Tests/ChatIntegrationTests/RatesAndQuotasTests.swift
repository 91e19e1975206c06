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

        /// `count` requests at once; their answers. Sent together so that a limit's refill (one
        /// request every 60/rate seconds) cannot let them all through on a slow machine.
        static func burst(_ count: Int, _ request: @escaping @Sendable (Int) async throws -> CurlResult) async throws -> [CurlResult] {
            try await withThrowingTaskGroup(of: CurlResult.self) { group in
                for index in 0..<count { group.addTask { try await request(index) } }
                return try await group.reduce(into: [CurlResult]()) { $0.append($1) }
            }
        }

        /// At least one answer is a well-formed 429, every other one has `otherStatus`.
        static func expectSomeLimited(_ answers: [CurlResult], otherStatus: Int, maxWait: Int, _ what: String) {
            let limited = answers.filter { $0.status == 429 }
            #expect(!limited.isEmpty, "\(what): \(answers.map(\.status))")
            for answer in limited { expectRateLimited(answer, maxWait: maxWait, what) }
            #expect(answers.allSatisfy { $0.status == 429 || $0.status == otherStatus }, "\(what): \(answers.map(\.status))")
        }

        @Test("sign-ups and log-ins are limited per IP at each edge and per account at the origins")
        func accountEndpointRates() async throws {
            var options = TestCluster.Options.chat()
            options.edgeEnvironment = ["STREAMLY_AUTH_IP_SIGNUP_PER_MINUTE": "3", "STREAMLY_AUTH_IP_LOGIN_PER_MINUTE": "6",
                                       "STREAMLY_AUTH_IP_REFRESH_PER_MINUTE": "4"]
            options.originEnvironment["STREAMLY_AUTH_ACCOUNT_LOGIN_PER_MINUTE"] = "2"
            options.originEnvironment["STREAMLY_AUTH_ACCOUNT_REFRESH_PER_MINUTE"] = "2"
            try await TestCluster.with(options, origins: ["ra"], edges: [("ea", ["ra"]), ("eb", ["ra"])]) { cluster in
                let edgeA = cluster.rest("ea")
                let edgeB = cluster.rest("eb")
                let run = cluster.run

                // Per IP, edge A: 3 sign-ups a minute; 6 at once: some are refused by the edge.
                let signups = try await Self.burst(6) { index in
                    try await edgeA.call("POST", "/auth/signup", json: Self.credentials("flood\(index)\(run)", "correct-horse-1"))
                }
                Self.expectSomeLimited(signups, otherStatus: 201, maxWait: 20, "6 sign-ups from one IP")
                #expect(signups.filter { $0.status == 201 }.count >= 3, "the first 3 go through: \(signups.map(\.status))")
                // Per IP, edge A: 6 log-ins a minute (wrong or unknown: 401); 10 at once.
                let logins = try await Self.burst(10) { index in
                    try await edgeA.call("POST", "/auth/login", json: Self.credentials("nobody\(index)"))
                }
                Self.expectSomeLimited(logins, otherStatus: 401, maxWait: 10, "10 log-ins from one IP")

                // Edge B has buckets of its own. Per account (origin): 2 log-ins of alice a
                // minute; then even the right password is refused; bob is not affected (5 log-ins
                // from edge B's one IP in all, within its 6).
                let alice = "alice\(run)", bob = "bob\(run)"
                for name in [alice, bob] {
                    let answer = try await edgeB.call("POST", "/auth/signup", json: Self.credentials(name, "correct-horse-1"))
                    #expect(answer.status == 201, "\(answer.text)")
                }
                let guesses = try await Self.burst(3) { _ in
                    try await edgeB.call("POST", "/auth/login", json: Self.credentials(alice))
                }
                Self.expectSomeLimited(guesses, otherStatus: 401, maxWait: 30, "3 log-ins of one account")
                Self.expectRateLimited(try await edgeB.call("POST", "/auth/login", json: Self.credentials(alice, "correct-horse-1")),
                                       maxWait: 30, "the right password right after")
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
                // Per IP refreshes on edge A: 4 a minute; 8 at once (bogus tokens: 401).
                let refreshes = try await Self.burst(8) { _ in
                    try await edgeA.call("POST", "/auth/refresh", json: ["refresh_token": "bogus"])
                }
                Self.expectSomeLimited(refreshes, otherStatus: 401, maxWait: 15, "8 refreshes from one IP")
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
                // The first page of 3, then (PostgreSQL is shared with every other test, so there
                // are many public channels) the rest 500 at a time.
                let first = try await rest.call("GET", "/channels?limit=3", token: owner.token)
                #expect(first.status == 200, "\(first.text)")
                let firstPage = try first.decode(Page.self)
                #expect(firstPage.channels.count == 3 && firstPage.next_cursor != nil, "\(first.text)")
                var seen = firstPage.channels.map(\.id)
                var cursor = firstPage.next_cursor
                var pages = 1
                while let next = cursor, pages < 1_000 {
                    let answer = try await rest.call("GET", "/channels?limit=500&cursor=\(next)", token: owner.token)
                    #expect(answer.status == 200, "\(answer.text)")
                    let page = try answer.decode(Page.self)
                    #expect(page.channels.count <= 500)
                    seen += page.channels.map(\.id)
                    cursor = page.next_cursor
                    pages += 1
                }
                #expect(cursor == nil, "the last page has no next_cursor")
                #expect(made.allSatisfy(seen.contains), "every channel of the owner on some page")
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

import Foundation
import PostgresNIO
import StreamLyStore
import Testing

/// Issue 11 on the stores: quotas checked with the owner's row locked, channel names without
/// control characters, paginated channels, the indexed attachment-readers lookup, the sweeps
/// of never-completed uploads and attachments, video visibility.
@Suite("Store limits")
struct LimitsStoreTests {
    @Test("the attachment-readers lookup is answered from messages_attachments_idx, not a scan")
    func attachmentLookupUsesTheIndex() async throws {
        try await TestDatabase.withFresh { database in
            let owner = try await Fixtures.user("owner", in: database)
            let channels = ChannelStore(database: database)
            let messages = MessageStore(database: database)
            let lobby = try await channels.create(name: "lobby", isPrivate: false, creatorID: owner.id)
            let other = try await channels.create(name: "other", isPrivate: false, creatorID: owner.id)
            let attachment = MessageAttachment(id: UUID(), filename: "a.png", contentType: "image/png", size: 3)
            for index in 0..<50 {
                _ = try await messages.append(channelID: other.id, authorID: owner.id, clientID: "plain-\(index)", body: "hi")
            }
            _ = try await messages.append(channelID: lobby.id, authorID: owner.id, clientID: "with", body: "",
                                          attachments: [attachment])
            let store = AttachmentStore(database: database)
            #expect(try await store.channels(carrying: attachment.id) == [lobby.id])
            #expect(try await store.channels(carrying: UUID()).isEmpty)

            let query = AttachmentStore.carryingQuery(attachment.id)
            let plan = try await database.withTransaction { connection -> String in
                // Tiny tables make a scan cheaper; forbid it to see whether the index can answer.
                try await connection.query("SET LOCAL enable_seqscan = off", logger: database.logger)
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds),
                                                      logger: database.logger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("messages_attachments_idx"), "\(plan)")
            #expect(!plan.contains("Seq Scan on messages"), "\(plan)")
        }
    }

    @Test("channel creation is limited per user, also when requests race")
    func channelQuota() async throws {
        try await TestDatabase.withFresh(maximumConnections: 8) { database in
            let channels = ChannelStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        (try? await channels.create(name: "c\(index)", isPrivate: index % 2 == 0, creatorID: alice.id,
                                                    maxPerUser: 3)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 3)
            let refused = await #expect(throws: StoreError.self) {
                try await channels.create(name: "one more", isPrivate: false, creatorID: alice.id, maxPerUser: 3)
            }
            #expect(refused?.code == .quotaExceeded)
            // Another user has a quota of their own.
            let bob = try await Fixtures.user("bob", in: database)
            _ = try await channels.create(name: "bob's", isPrivate: false, creatorID: bob.id, maxPerUser: 3)
        }
    }

    @Test("channel names refuse control, separator and bidi characters; emoji sequences pass")
    func channelNames() throws {
        for bad in ["a\u{0}b", "tab\there", "line\nbreak", "bell\u{7}", "del\u{7F}", "c1\u{85}x", "ls\u{2028}x",
                    "rlo\u{202E}gnp.exe", "iso\u{2066}x"] {
            let error = #expect(throws: StoreError.self) { try Validate.channelName(bad) }
            #expect(error?.code == .invalidInput, "\(bad.debugDescription)")
        }
        #expect(try Validate.channelName(" family 👨‍👩‍👧 ") == "family 👨‍👩‍👧")
        #expect(try Validate.channelName("café-über") == "café-über")
    }

    @Test("channels page by cursor, oldest first, without gaps or repeats")
    func channelPages() async throws {
        try await TestDatabase.withFresh { database in
            let channels = ChannelStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            var made: [UUID] = []
            for index in 0..<5 { made.append(try await channels.create(name: "p\(index)", isPrivate: false, creatorID: alice.id).id) }
            var seen: [UUID] = []
            var cursor: UUID?
            repeat {
                let page = try await channels.visibleChannels(userID: alice.id, after: cursor, limit: 2)
                #expect(page.count <= 2)
                seen += page.map(\.id)
                cursor = page.count == 2 ? page.last?.id : nil
            } while cursor != nil
            #expect(seen == made)
        }
    }

    @Test("attachment quotas: pending ones and bytes per user")
    func attachmentQuota() async throws {
        try await TestDatabase.withFresh { database in
            let store = AttachmentStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let quota = AttachmentStore.Quota(pending: 2, bytes: 1_000)
            _ = try await store.create(ownerID: alice.id, filename: "a", contentType: "text/plain", size: 400, maxSize: 1_000, quota: quota)
            let overBytes = await #expect(throws: StoreError.self) {
                try await store.create(ownerID: alice.id, filename: "b", contentType: "text/plain", size: 601, maxSize: 1_000, quota: quota)
            }
            #expect(overBytes?.code == .quotaExceeded)
            _ = try await store.create(ownerID: alice.id, filename: "b", contentType: "text/plain", size: 600, maxSize: 1_000, quota: quota)
            let overCount = await #expect(throws: StoreError.self) {
                try await store.create(ownerID: alice.id, filename: "c", contentType: "text/plain", size: 0, maxSize: 1_000, quota: quota)
            }
            #expect(overCount?.code == .quotaExceeded)
        }
    }

    @Test("video quotas: videos, uploads in progress, bytes (a deferred length counts as the maximum)")
    func videoQuota() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let quota = VideoStore.Quota(videos: 10, pendingUploads: 2, bytes: 1_000, deferredBytes: 500)
            _ = try await videos.create(ownerID: alice.id, title: "a", uploadLength: 300, quota: quota)
            let overBytes = await #expect(throws: StoreError.self) {
                try await videos.create(ownerID: alice.id, title: "deferred", uploadLength: nil, quota: quota.with(bytes: 700))
            }
            #expect(overBytes?.code == .quotaExceeded)
            _ = try await videos.create(ownerID: alice.id, title: "deferred", uploadLength: nil, quota: quota)
            let overPending = await #expect(throws: StoreError.self) {
                try await videos.create(ownerID: alice.id, title: "c", uploadLength: 1, quota: quota)
            }
            #expect(overPending?.message.contains("uploads in progress") == true)
            let overCount = await #expect(throws: StoreError.self) {
                try await videos.create(ownerID: alice.id, title: "c", uploadLength: 1,
                                        quota: VideoStore.Quota(videos: 2, pendingUploads: 9, bytes: 1 << 40, deferredBytes: 0))
            }
            #expect(overCount?.code == .quotaExceeded)
            let control = await #expect(throws: StoreError.self) {
                try await videos.create(ownerID: alice.id, title: "bad\u{202E}title", uploadLength: 1)
            }
            #expect(control?.code == .invalidInput)
        }
    }

    @Test("the sweeps remove only never-completed uploads and never-sent attachments")
    func sweeps() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let attachments = AttachmentStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let stale = try await videos.create(ownerID: alice.id, title: "stale", uploadLength: 10)
            let done = try await videos.create(ownerID: alice.id, title: "done", uploadLength: 0)
            _ = try await videos.finishUpload(id: done.id)
            let pending = try await attachments.create(ownerID: alice.id, filename: "p", contentType: "text/plain", size: 1,
                                                       maxSize: 10)
            let sent = try await attachments.create(ownerID: alice.id, filename: "s", contentType: "text/plain", size: 1,
                                                    maxSize: 10)
            try await attachments.markUploaded(id: sent.id)
            try await Task.sleep(for: .milliseconds(1_100))
            // Younger than the age: nothing goes.
            #expect(try await videos.sweepStaleUploads(olderThan: 3_600).isEmpty)
            #expect(try await attachments.sweepPending(olderThan: 3_600).isEmpty)
            #expect(try await videos.sweepStaleUploads(olderThan: 1).map(\.id) == [stale.id])
            #expect(try await attachments.sweepPending(olderThan: 1) == [pending.objectKey])
            #expect(try await videos.video(id: stale.id) == nil)
            #expect(try await videos.video(id: done.id) != nil)
            #expect(try await attachments.attachment(id: sent.id) != nil)
        }
    }

    @Test("visibility: set by the owner only; only public ready videos are listed")
    func visibility() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let alice = try await Fixtures.user("alice", in: database)
            let bob = try await Fixtures.user("bob", in: database)
            let hidden = try await videos.create(ownerID: alice.id, title: "hidden", uploadLength: 1, visibility: .private)
            #expect(hidden.visibility == .private)
            #expect(!hidden.isVisible(to: bob.id) && hidden.isVisible(to: alice.id))
            #expect(try await videos.setVisibility(id: hidden.id, owner: bob.id, .public) == nil)
            #expect(try await videos.setVisibility(id: hidden.id, owner: alice.id, .public)?.visibility == .public)
            // Public but not ready: not listed yet.
            #expect(try await videos.publicVideos(after: nil, limit: 10).isEmpty)
            let unlisted = try await videos.create(ownerID: alice.id, title: "default", uploadLength: 1)
            #expect(unlisted.visibility == .unlisted && unlisted.isVisible(to: bob.id))
        }
    }
}

extension VideoStore.Quota {
    func with(bytes: Int64) -> Self {
        var copy = self
        copy.bytes = bytes
        return copy
    }
}

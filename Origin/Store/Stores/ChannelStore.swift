import Foundation
import PostgresNIO

/// Channels, memberships and who may do what.
///
/// Access rules (`access(userID:channelID:)`):
/// - **public**: every user may read and write. Publishing does not require an explicit
///   join; `join` only records a membership (for "my channels" and presence).
/// - **private**: members only (read and write). The creator is its `owner`; any member
///   may add other users; non-members cannot add themselves.
/// - **direct**: exactly the two users it was opened between; nobody can be added.
/// - Unknown channels and channels the user cannot see both answer `.none`, so callers
///   can reply "not found" without revealing that a private channel exists.
public struct ChannelStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Creates a public or private channel; the creator becomes its `owner` member.
    /// - Parameter maxPerUser: how many public and private channels one user may create
    ///   (checked with the user's row locked, so concurrent creations cannot overshoot).
    /// - Throws: `.invalidInput` for a bad name, `.notFound` if the creator does not exist,
    ///   `.quotaExceeded` when the creator has `maxPerUser` channels already.
    public func create(name: String, isPrivate: Bool, creatorID: UUID, maxPerUser: Int = .max) async throws -> Channel {
        let name = try Validate.channelName(name)
        let kind = isPrivate ? Channel.Kind.private : .public
        do {
            return try await database.withTransaction { connection in
                if maxPerUser < .max {
                    // Lock first, count in the next statement: its snapshot then sees every
                    // creation committed by whoever held the lock before.
                    let locked = try await connection.query("SELECT id FROM users WHERE id = \(creatorID) FOR UPDATE",
                                                            logger: database.logger).collect()
                    guard !locked.isEmpty else { throw StoreError(.notFound, "user not found") }
                    let counted = try await connection.query("""
                        SELECT count(*) FROM channels WHERE created_by = \(creatorID) AND kind IN ('public', 'private')
                        """, logger: database.logger)
                    var count: Int64 = 0
                    for try await value in counted.decode(Int64.self) { count = value }
                    guard count < maxPerUser else {
                        throw StoreError(.quotaExceeded, "you have created \(count) channels, the most allowed (\(maxPerUser))")
                    }
                }
                let rows = try await connection.query("""
                    INSERT INTO channels AS c (name, kind, created_by) VALUES (\(name), \(kind.rawValue), \(creatorID))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let channel = try await Self.decode(rows).first else {
                    throw StoreError(.notFound, "insert returned no row")
                }
                try await connection.query("""
                    INSERT INTO memberships (channel_id, user_id, role) VALUES (\(channel.id), \(creatorID), 'owner')
                    """, logger: database.logger)
                return channel
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// Returns the direct channel between two users, creating it (with both as members)
    /// the first time. Safe under concurrency: the pair is unique, so two racing calls
    /// get the same channel.
    /// - Throws: `.invalidInput` if both ids are the same user, `.notFound` if either
    ///   user does not exist.
    public func openDirect(between userA: UUID, and userB: UUID) async throws -> Channel {
        guard userA != userB else {
            throw StoreError(.invalidInput, "a direct channel needs two different users")
        }
        return try await database.withTransaction { connection in
            let names = try await connection.query("""
                SELECT string_agg(username, ',' ORDER BY username), count(*)
                FROM users WHERE id IN (\(userA), \(userB))
                """, logger: database.logger)
            var channelName = ""
            for try await (joined, count) in names.decode((String?, Int64).self) {
                guard count == 2, let joined else { throw StoreError(.notFound, "user not found") }
                channelName = joined
            }
            try await connection.query("""
                INSERT INTO channels (name, kind, created_by, direct_user_low, direct_user_high)
                VALUES (\(channelName), 'direct', \(userA), LEAST(\(userA), \(userB)), GREATEST(\(userA), \(userB)))
                ON CONFLICT (direct_user_low, direct_user_high) DO NOTHING
                """, logger: database.logger)
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.columns) FROM channels c
                WHERE direct_user_low = LEAST(\(userA), \(userB)) AND direct_user_high = GREATEST(\(userA), \(userB))
                """, logger: database.logger)
            guard let channel = try await Self.decode(rows).first else {
                throw StoreError(.notFound, "direct channel vanished")
            }
            try await connection.query("""
                INSERT INTO memberships (channel_id, user_id) VALUES (\(channel.id), \(userA)), (\(channel.id), \(userB))
                ON CONFLICT DO NOTHING
                """, logger: database.logger)
            return channel
        }
    }

    /// One channel by id, regardless of access (check `access` first for user requests).
    public func find(id: UUID) async throws -> Channel? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM channels c WHERE c.id = \(id)", logger: database.logger)
        return try await Self.decode(rows).first
    }

    /// The channels `userID` can see: every public channel plus the private and direct
    /// ones they belong to, oldest first, at most `limit` after the channel `after` (a page's
    /// last id: the cursor).
    public func visibleChannels(userID: UUID, after: UUID? = nil, limit: Int = .max) async throws -> [Channel] {
        let limit = Int64(clamping: max(0, limit))
        let rows: QueryRows
        if let after {
            rows = try await database.query("""
                SELECT \(unescaped: Self.columns) FROM channels c
                WHERE (c.kind = 'public'
                       OR EXISTS (SELECT 1 FROM memberships m WHERE m.channel_id = c.id AND m.user_id = \(userID)))
                  AND (c.created_at, c.id) > (SELECT created_at, id FROM channels WHERE id = \(after))
                ORDER BY c.created_at, c.id LIMIT \(limit)
                """, logger: database.logger)
        } else {
            rows = try await database.query("""
                SELECT \(unescaped: Self.columns) FROM channels c
                WHERE c.kind = 'public'
                   OR EXISTS (SELECT 1 FROM memberships m WHERE m.channel_id = c.id AND m.user_id = \(userID))
                ORDER BY c.created_at, c.id LIMIT \(limit)
                """, logger: database.logger)
        }
        return try await Self.decode(rows)
    }

    /// What `userID` may do in `channelID` (see the type's documentation).
    public func access(userID: UUID, channelID: UUID) async throws -> ChannelAccess {
        for row in try await database.execute(ChannelAccessStatement(userID: userID, channelID: channelID)) {
            if row.kind == Channel.Kind.public.rawValue { return .write }
            return row.isMember ? .write : .none
        }
        return .none
    }

    /// Adds `userID` to `channelID` on behalf of `actorID`.
    ///
    /// Anyone may add anyone (including themselves: a join) to a public channel; only a
    /// member may add to a private channel (to anyone else it does not exist: `.notFound`);
    /// direct channels are closed.
    /// - Returns: true if a membership was created, false if the user already was a member.
    /// - Throws: `.notFound` (channel or user), `.forbidden` (not allowed).
    @discardableResult
    public func addMember(channelID: UUID, userID: UUID, actorID: UUID) async throws -> Bool {
        do {
            return try await database.withTransaction { connection in
                let rows = try await connection.query("""
                    SELECT c.kind, EXISTS (SELECT 1 FROM memberships m WHERE m.channel_id = c.id AND m.user_id = \(actorID))
                    FROM channels c WHERE c.id = \(channelID) FOR SHARE OF c
                    """, logger: database.logger)
                var found: (kind: String, actorIsMember: Bool)?
                for try await row in rows.decode((String, Bool).self) { found = row }
                guard let found else { throw StoreError(.notFound, "channel not found") }
                switch found.kind {
                case Channel.Kind.public.rawValue:
                    break
                case Channel.Kind.private.rawValue where found.actorIsMember:
                    break
                case _ where !found.actorIsMember:
                    // A private or direct channel is invisible to non-members: the same answer
                    // as for a channel that does not exist.
                    throw StoreError(.notFound, "channel not found")
                default:
                    throw StoreError(.forbidden, "members of a direct channel cannot change")
                }
                let inserted = try await connection.query("""
                    INSERT INTO memberships (channel_id, user_id) VALUES (\(channelID), \(userID))
                    ON CONFLICT DO NOTHING RETURNING user_id
                    """, logger: database.logger)
                var added = false
                for try await _ in inserted.decode(UUID.self) { added = true }
                return added
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// Joins a public channel (a membership for oneself). Same rules as `addMember`.
    @discardableResult
    public func join(channelID: UUID, userID: UUID) async throws -> Bool {
        try await addMember(channelID: channelID, userID: userID, actorID: userID)
    }

    /// The ids of a channel's members, e.g. for presence fan-out.
    public func memberIDs(channelID: UUID) async throws -> [UUID] {
        let rows = try await database.query(
            "SELECT user_id FROM memberships WHERE channel_id = \(channelID) ORDER BY joined_at, user_id",
            logger: database.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// A channel's members with their usernames, in the order they joined (at most `limit`).
    public func members(channelID: UUID, limit: Int = 1_000) async throws -> [(id: UUID, username: String)] {
        let rows = try await database.query(
            "SELECT u.id, u.username FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.channel_id = \(channelID) ORDER BY m.joined_at, u.id LIMIT \(limit)",
            logger: database.logger)
        var members: [(id: UUID, username: String)] = []
        for try await (id, username) in rows.decode((UUID, String).self) { members.append((id, username)) }
        return members
    }

    // MARK: Row mapping

    private static let columns = "c.id, c.name, c.kind, c.created_by, c.created_at, c.last_seq"

    private static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Channel] where Rows.Element == PostgresRow {
        var channels: [Channel] = []
        for try await (id, name, kind, createdBy, createdAt, lastSeq)
            in rows.decode((UUID, String, String, UUID, Date, Int64).self) {
            guard let kind = Channel.Kind(rawValue: kind) else { continue }
            channels.append(Channel(id: id, name: name, kind: kind, createdBy: createdBy,
                                    createdAt: createdAt, lastSeq: lastSeq))
        }
        return channels
    }
}

import Foundation
import Logging
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyOriginNative
import StreamLyProtocol
import StreamLyStorage
import StreamLyStore

/// Answers the channel and chat methods edges call (`ChatLink.Method`; the `auth.*` ones
/// are `AccountsRouter`'s).
struct ChatRouter: Sendable {
    let channels: ChannelStore
    let messages: MessageStore
    let producer: EventProducer
    /// The publish topic (`ChatTopics.publish`).
    let topic: String
    let pending: PendingPublishes
    let attachments: AttachmentRouter
    let publishTimeout: Duration
    /// Per-user quotas (channels created).
    let quotas: QuotaSettings
    /// Most missed messages a `subscribe` replays; beyond it, `recovered: false`.
    static let maxReplay = 500

    /// Handles `request` if it is a chat method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering(storage: ReplyError.storage) {
            switch request.method {
            case ChatLink.Method.createChannel:
                let user = try request.user()
                let body = try await request.decode(API.CreateChannel.self)
                let channel = try await channels.create(name: body.name, isPrivate: body.private ?? false, creatorID: user.id,
                                                        maxPerUser: quotas.channelsPerUser)
                try await request.reply(Self.api(channel), status: 201)
            case ChatLink.Method.listChannels:
                try await listChannels(request)
            case ChatLink.Method.addMember:
                let user = try request.user()
                let body = try await request.decode(ChatLinkBodies.AddMember.self)
                guard let member = UUID(uuidString: body.userID) else { throw ReplyError.notFound("user") }
                _ = try await channels.addMember(channelID: try channelID(body.channel), userID: member, actorID: user.id)
                try await request.reply(["channel": body.channel, "user_id": body.userID])
            case ChatLink.Method.listMembers:
                let user = try request.user()
                let body = try await request.decode(API.ChannelRef.self)
                let channel = try channelID(body.channel)
                try await require(.read, user: user.id, channel: channel)
                let members = try await channels.members(channelID: channel)
                try await request.reply(API.MemberList(members: members.map {
                    API.Member(id: $0.id.uuidString.lowercased(), username: $0.username)
                }))
            case ChatLink.Method.openDirect:
                let user = try request.user()
                let body = try await request.decode(API.OpenDirect.self)
                guard let other = UUID(uuidString: body.userID) else { throw ReplyError.notFound("user") }
                try await request.reply(Self.api(try await channels.openDirect(between: user.id, and: other)))
            case ChatLink.Method.history:
                try await history(request)
            case ChatLink.Method.subscribe:
                try await subscribe(request)
            case ChatLink.Method.publish:
                try await publish(request)
            case ChatLink.Method.gap:
                let body = try await request.decode(ChatLinkBodies.History.self)
                let channel = try channelID(body.channel)
                let found = try await messages.history(channelID: channel, after: body.after, before: body.before,
                                                       limit: min(max(body.limit ?? Self.maxReplay, 1), Self.maxReplay))
                try await request.responder.respond(status: 200, body: Self.eventLines(found, channel: channel))
            default:
                return false
            }
            return true
        }
    }

    /// Message events, one JSON object per line, as replays carry them.
    static func eventLines(_ messages: [StreamLyStore.Message], channel: UUID) -> ByteBuffer {
        var lines = ByteBuffer()
        for message in messages {
            var event = MessageEvent.encode(
                channel: channel, seq: message.seq, id: message.id, clientID: message.clientID,
                authorID: message.authorID, body: message.body, createdAt: message.createdAt,
                attachments: message.attachments)
            lines.writeBuffer(&event)
            lines.writeInteger(UInt8(ascii: "\n"))
        }
        return lines
    }

    static func api(_ channel: StreamLyStore.Channel) -> API.Channel {
        API.Channel(id: channel.id.uuidString.lowercased(), name: channel.name, private: channel.isPrivate,
                    kind: channel.kind.rawValue, lastSeq: channel.lastSeq)
    }

    /// Checks that `user` may use `channel` at `level`; unknown and invisible channels are both 404.
    private func require(_ level: ChannelAccess, user: UUID, channel: UUID) async throws {
        let access = try await channels.access(userID: user, channelID: channel)
        if access == .none { throw ReplyError.notFound("channel") }
        if access < level { throw ReplyError(status: 403, code: .forbidden, message: "no write access to this channel") }
    }

    /// `GET /channels`: a page of the visible channels and the cursor of the next.
    private func listChannels(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(ChatLinkBodies.ListChannels.self)
        let page = try PageRequest(limit: body.limit, cursor: body.cursor, defaultLimit: ChatLinkBodies.ListChannels.defaultLimit,
                                   maxLimit: ChatLinkBodies.ListChannels.maxLimit)
        let (rows, next) = try await page.fetch({ try await channels.visibleChannels(userID: user.id, after: $0, limit: $1) }, id: \.id)
        try await request.reply(API.ChannelList(channels: rows.map(Self.api), nextCursor: next))
    }

    private func history(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(ChatLinkBodies.History.self)
        let channel = try channelID(body.channel)
        try await require(.read, user: user.id, channel: channel)
        let limit = min(max(body.limit ?? 50, 1), 500)
        let found = try await messages.history(channelID: channel, after: body.after, before: body.before, limit: limit)
        let list = API.MessageList(messages: found.map { message in
            API.Message(channel: body.channel, seq: message.seq, id: message.id.uuidString.lowercased(),
                        clientID: message.clientID, author: message.authorID.uuidString.lowercased(), body: message.body,
                        ts: MessageEvent.timestamp(message.createdAt),
                        attachments: message.attachments.isEmpty ? nil : message.attachments.map(AttachmentRouter.api))
        })
        try await request.reply(list)
    }

    /// Access check, the channel's last seq and the missed messages as event lines.
    private func subscribe(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(ChatLinkBodies.Subscribe.self)
        let channel = try channelID(body.channel)
        try await require(.read, user: user.id, channel: channel)
        let lastSeq = try await messages.lastSeq(channelID: channel)
        var lines = ByteBuffer()
        var recovered = true
        if let since = body.since, since < lastSeq {
            if lastSeq - since > Int64(Self.maxReplay) {
                recovered = false
            } else {
                let missed = try await messages.history(channelID: channel, after: since, before: lastSeq + 1, limit: Self.maxReplay)
                lines = Self.eventLines(missed, channel: channel)
            }
        }
        try await request.responder.respond(
            status: 200,
            metadata: [ChatLink.Metadata.lastSeq: String(lastSeq), ChatLink.Metadata.recovered: recovered ? "true" : "false"],
            body: lines)
    }

    /// Durable publish: access check, produce to Kafka (acks=all), wait for the
    /// sequencer's commit event, answer with the seq (or with the error of a record the
    /// sequencer gave up: refused by PostgreSQL, or not stored within its attempts).
    private func publish(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(ChatLinkBodies.Publish.self)
        let channel = try channelID(body.channel)
        try await require(.write, user: user.id, channel: channel)
        let attached = try await attachments.resolve(body.attachments ?? [], author: user.id)
        // What the sequencer could never store is refused here, with a reason, before it
        // reaches the log (the same rules `MessageStore.append` applies).
        try Validate.clientID(body.clientID)
        try Validate.message(body: body.body, attachments: attached)
        let channelKey = channel.uuidString.lowercased()
        let attempt = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let record = PublishRecord(channel: channelKey, author_id: user.id.uuidString.lowercased(), author_name: user.name,
                                   client_id: body.clientID, body: body.body,
                                   attachments: attached.isEmpty ? nil : attached, attempt: attempt)
        let key = PendingPublishes.key(channel: channelKey, author: record.author_id, clientID: body.clientID)
        pending.register(key)
        do {
            try await producer.send(topic: topic, key: Array(channelKey.utf8),
                                        value: Array(try JSONEncoder().encode(record)))
        } catch {
            _ = await pending.wait(for: key, attempt: attempt, timeout: .zero)
            throw ReplyError(status: 503, code: .unavailable, message: "the message log is unavailable; retry with the same client_id")
        }
        switch await pending.wait(for: key, attempt: attempt, timeout: publishTimeout) {
        case .published(let published):
            try await request.reply(published)
        case .rejected(let code, let message):
            throw ReplyError(status: code == .unavailable ? 503 : 422, code: code, message: message)
        case nil:
            throw ReplyError(status: 503, code: .timeout, message: "not committed in time; retry with the same client_id")
        }
    }
}

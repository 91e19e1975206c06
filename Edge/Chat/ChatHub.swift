import NIOCore
import StreamLyRetry
import Synchronization

/// This edge's channel subscriptions: which sessions listen to which channel, and each
/// channel's `ChannelFeed`. Message events from the origins come in through
/// `received`; each is released once, in order, and written to every subscriber —
/// the same encoded buffer for all of them. A release costs the hub one task per event loop,
/// whatever the number of subscribers (`LiveSubscribers`); only subscribers still joining are
/// handled one by one.
final class ChatHub: Sendable {
    /// A subscriber that is not live yet: its replay is in flight, or it is ahead of the feed
    /// (its replay reached past what the feed has released), with the highest seq it was sent.
    struct Subscriber {
        let session: GatewaySession
        var cursor: Int64
        /// While its replay is in flight, live events wait here.
        var waiting: [(seq: Int64, event: ByteBuffer)]?
    }

    struct Channel {
        /// Nil until the first origin answer told us where the channel stands.
        var feed: ChannelFeed<ByteBuffer>?
        /// Events that arrived before `feed` existed.
        var early: [(seq: Int64, event: ByteBuffer)] = []
        /// Subscribers waiting for their replay or ahead of the feed (a few, while they join).
        var joining: [UInt64: Subscriber] = [:]
        /// Subscribers caught up with the feed: every event it releases goes to all of them.
        var live = LiveSubscribers()

        var isEmpty: Bool { joining.isEmpty && live.isEmpty }
    }

    private let channels = Mutex<[String: Channel]>([:])
    /// Asks the origins for the events in `after+1 ..< before` of a channel (gap fill).
    let fetchGap: @Sendable (_ channel: String, _ after: Int64, _ before: Int64) async -> [(seq: Int64, event: ByteBuffer)]?

    /// Longest wait for one gap fetch or tail check.
    let fetchTimeout: Duration

    init(fetchTimeout: Duration = .seconds(5),
         fetchGap: @escaping @Sendable (String, Int64, Int64) async -> [(seq: Int64, event: ByteBuffer)]?) {
        self.fetchTimeout = fetchTimeout
        self.fetchGap = fetchGap
    }

    /// Channels with at least one subscriber here.
    var channelCount: Int { channels.withLock { $0.count } }

    /// One beat of the tail-check timer (`ChatTailChecks`): each channel's feed decides
    /// whether to fetch a hole left by a partial fill or, quiet for long enough, whatever
    /// came after what it released (a lost tail); the fetches go out here.
    func tick() {
        let fetches: [(channel: String, after: Int64, before: Int64)] = channels.withLock { channels in
            var fetches: [(String, Int64, Int64)] = []
            for index in channels.indices {
                if case .fetch(let after, let before) = channels.values[index].feed?.tick() {
                    fetches.append((channels.keys[index], after, before))
                }
            }
            return fetches
        }
        for fetch in fetches { startGapFetch(fetch.channel, after: fetch.after, before: fetch.before) }
    }

    /// Registers `session` before its replay is fetched, so no live event is missed.
    func beginSubscribe(_ session: GatewaySession, channel: String) {
        channels.withLock { channels in
            channels[channel, default: Channel()].live.remove(session.id)
            channels[channel]!.joining[session.id] = Subscriber(session: session, cursor: .max, waiting: [])
        }
    }

    /// The replay arrived: the channel stands at `lastSeq`, and `replayed` (oldest
    /// first) were sent to the session by the caller. Releases the live events that
    /// waited and switches the session to live delivery.
    func completeSubscribe(_ session: GatewaySession, channel: String, lastSeq: Int64, replayedUpTo: Int64) {
        let (drain, gapFetch) = channels.withLock { channels -> (Bool, (after: Int64, before: Int64)?) in
            guard channels[channel]?.joining[session.id] != nil else { return (false, nil) }
            return Self.complete(session, lastSeq: lastSeq, replayedUpTo: replayedUpTo, in: &channels[channel]!)
        }
        if drain { GatewaySession.scheduleDrains([session]) }
        if let gapFetch { startGapFetch(channel, after: gapFetch.after, before: gapFetch.before) }
    }

    /// `completeSubscribe` with the channel lock held: creates the feed if this is the channel's
    /// first answer, queues the events that waited past the replay, and makes the session live
    /// (or ahead of the feed, if its replay reached further). Returns whether the session needs a
    /// drain, and a gap to fetch.
    private static func complete(_ session: GatewaySession, lastSeq: Int64, replayedUpTo: Int64,
                                 in state: inout Channel) -> (drain: Bool, gapFetch: (after: Int64, before: Int64)?) {
        var gapFetch: (after: Int64, before: Int64)?
        if state.feed == nil {
            var feed = ChannelFeed<ByteBuffer>(lastSeq: lastSeq)
            var released: [(seq: Int64, event: ByteBuffer)] = []
            for (seq, event) in state.early.sorted(by: { $0.seq < $1.seq }) {
                switch feed.received(seq: seq, event: event) {
                case .deliver(let events): released += events
                case .fetch(let after, let before): gapFetch = (after, before)
                case .none: break
                }
            }
            state.feed = feed
            state.early = []
            // Without a feed nobody is live yet: every subscriber still waits for its
            // replay, and the early events past `lastSeq` are theirs to receive.
            for index in state.joining.indices { state.joining.values[index].waiting?.append(contentsOf: released) }
        }
        guard var subscriber = state.joining.removeValue(forKey: session.id) else { return (false, gapFetch) }
        subscriber.cursor = max(replayedUpTo, lastSeq)
        var toSend: [OutboundText] = []
        for (seq, event) in subscriber.waiting ?? [] where seq > subscriber.cursor {
            toSend.append(OutboundText(event))
            subscriber.cursor = seq
        }
        subscriber.waiting = nil
        let drain = !toSend.isEmpty && session.queue(toSend).drain
        if let released = state.feed?.released, subscriber.cursor <= released {
            state.live.insert(session)  // every event the feed releases from now on is past its cursor
        } else {
            state.joining[session.id] = subscriber
        }
        return (drain, gapFetch)
    }

    func unsubscribe(_ session: GatewaySession, channel: String) {
        channels.withLock { channels in
            guard channels[channel] != nil else { return }
            channels[channel]!.joining.removeValue(forKey: session.id)
            channels[channel]!.live.remove(session.id)
            if channels[channel]!.isEmpty { channels.removeValue(forKey: channel) }
        }
    }

    /// Removes a closed session from every channel.
    func remove(_ session: GatewaySession, channels names: some Sequence<String>) {
        for name in names { unsubscribe(session, channel: name) }
    }

    /// A message event from an origin.
    func received(channel: String, seq: Int64, event: ByteBuffer) {
        var drains: [GatewaySession] = []
        let fetch: (after: Int64, before: Int64)? = channels.withLock { channels in
            guard channels[channel] != nil else { return nil }
            // Everything below works on the channel in place (`channels[channel]!`): a copy of its
            // state would copy its dictionaries at their first change.
            guard channels[channel]!.feed != nil else {
                channels[channel]!.early.append((seq, event))
                return nil
            }
            let action = channels[channel]!.feed!.received(seq: seq, event: event)
            return Self.perform(action, on: &channels[channel]!, drains: &drains)
        }
        GatewaySession.scheduleDrains(drains)
        if let fetch { startGapFetch(channel, after: fetch.after, before: fetch.before) }
    }

    private func startGapFetch(_ channel: String, after: Int64, before: Int64) {
        Task {
            // A fetch that never answers (an origin stuck on PostgreSQL) must not hold the
            // channel: past `fetchTimeout` it counts as failed and the next tick fetches again.
            let events = (try? await withDeadline(fetchTimeout) { await self.fetchGap(channel, after, before) }) ?? nil
            var drains: [GatewaySession] = []
            let fetch: (after: Int64, before: Int64)? = channels.withLock { channels in
                guard channels[channel]?.feed != nil else { return nil }
                guard let events else {
                    channels[channel]!.feed!.fetchFailed()
                    return nil
                }
                let action = channels[channel]!.feed!.filled(events)
                return Self.perform(action, on: &channels[channel]!, drains: &drains)
            }
            GatewaySession.scheduleDrains(drains)
            if let fetch { startGapFetch(channel, after: fetch.after, before: fetch.before) }
        }
    }

    /// Carries out a feed's action with the channel lock held: released events are handed to
    /// the subscribers in the same hold of the lock as the release itself, so two releases of
    /// one channel (from two origins' links, or a gap fill beside a live event) reach every
    /// session in seq order. (Handed over in a later hold, a release could overtake an earlier
    /// one, and the subscribers' cursors would then skip the earlier events.) Returns the gap
    /// to fetch, if any; the sessions to drain are added to `drains`, for after the lock.
    private static func perform(_ action: ChannelFeed<ByteBuffer>.Action, on state: inout Channel,
                                drains: inout [GatewaySession]) -> (after: Int64, before: Int64)? {
        switch action {
        case .deliver(let events):
            drains += send(events, to: &state)
            return nil
        case .fetch(let after, let before):
            return (after, before)
        case .none:
            return nil
        }
    }

    /// Hands released events to the channel's subscribers; call with the channel lock held.
    /// The live ones get them on their event loops (`GatewaySession.deliver`: one task per
    /// loop, the loop's order being the release order); a subscriber waiting for its replay
    /// keeps them; one ahead of the feed gets those past its cursor in its send buffer, and is
    /// live once the feed has caught up with its cursor. Returns the sessions to drain.
    private static func send(_ events: [(seq: Int64, event: ByteBuffer)], to state: inout Channel) -> [GatewaySession] {
        guard let last = events.last?.seq else { return [] }
        // Each event's frame is encoded once (`OutboundText.shared`), with a copy for each
        // event loop: the subscribers of one loop share its buffers, so two loops do not
        // contend for the reference counts of the same buffers and arrays.
        let frames = OutboundText.shared(events.map(\.event))
        var copy = false
        for loop in state.live.loops where !loop.sessions.isEmpty {
            GatewaySession.deliver(copy ? frames.map { $0.copied() } : frames, to: loop.sessions, on: loop.loop)
            copy = true
        }
        guard !state.joining.isEmpty else { return [] }
        var drains: [GatewaySession] = []
        var caughtUp: [GatewaySession] = []
        for index in state.joining.indices {
            if state.joining.values[index].waiting != nil {
                state.joining.values[index].waiting!.append(contentsOf: events)
                continue
            }
            let (session, cursor) = (state.joining.values[index].session, state.joining.values[index].cursor)
            let fresh = zip(events, frames).filter { $0.0.seq > cursor }.map(\.1)
            if !fresh.isEmpty, session.queue(fresh).drain { drains.append(session) }
            if cursor <= last { caughtUp.append(session) }  // the feed now stands at `last`
        }
        for session in caughtUp {
            state.joining.removeValue(forKey: session.id)
            state.live.insert(session)
        }
        return drains
    }

    /// Sessions subscribed to `channel` (for typing and presence events).
    func subscribers(of channel: String) -> [GatewaySession] {
        channels.withLock { channels in
            guard let state = channels[channel] else { return [] }
            return state.live.sessions + state.joining.values.filter { $0.waiting == nil }.map(\.session)
        }
    }
}

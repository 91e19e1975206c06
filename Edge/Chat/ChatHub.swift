import NIOCore
import StreamLyRetry
import Synchronization

/// This edge's channel subscriptions: which sessions listen to which channel, and each
/// channel's `ChannelFeed`. Message events from the origins come in through
/// `received`; each is released once, in order, and written to every subscriber —
/// the same encoded buffer for all of them.
final class ChatHub: Sendable {
    /// A subscriber and the highest seq it has been sent.
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
        var subscribers: [UInt64: Subscriber] = [:]
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
            for (name, var state) in channels {
                guard var feed = state.feed else { continue }
                if case .fetch(let after, let before) = feed.tick() { fetches.append((name, after, before)) }
                state.feed = feed
                channels[name] = state
            }
            return fetches
        }
        for fetch in fetches { startGapFetch(fetch.channel, after: fetch.after, before: fetch.before) }
    }

    /// Registers `session` before its replay is fetched, so no live event is missed.
    func beginSubscribe(_ session: GatewaySession, channel: String) {
        channels.withLock { channels in
            channels[channel, default: Channel()].subscribers[session.id] =
                Subscriber(session: session, cursor: .max, waiting: [])
        }
    }

    /// The replay arrived: the channel stands at `lastSeq`, and `replayed` (oldest
    /// first) were sent to the session by the caller. Releases the live events that
    /// waited and switches the session to live delivery.
    func completeSubscribe(_ session: GatewaySession, channel: String, lastSeq: Int64, replayedUpTo: Int64) {
        var toSend: [OutboundText] = []
        var drain = false
        var gapFetch: (Int64, Int64)?
        channels.withLock { channels in
            guard var state = channels[channel], state.subscribers[session.id] != nil else { return }
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
                for id in Array(state.subscribers.keys) { state.subscribers[id]!.waiting?.append(contentsOf: released) }
            }
            var subscriber = state.subscribers[session.id]!
            let cursor = max(replayedUpTo, lastSeq)
            subscriber.cursor = cursor
            for (seq, event) in subscriber.waiting ?? [] where seq > cursor {
                toSend.append(OutboundText(event))
                subscriber.cursor = seq
            }
            drain = !toSend.isEmpty && session.queue(toSend).drain
            subscriber.waiting = nil
            state.subscribers[session.id] = subscriber
            channels[channel] = state
        }
        if drain { GatewaySession.scheduleDrains([session]) }
        if let (after, before) = gapFetch { startGapFetch(channel, after: after, before: before) }
    }

    func unsubscribe(_ session: GatewaySession, channel: String) {
        channels.withLock { channels in
            channels[channel]?.subscribers.removeValue(forKey: session.id)
            if channels[channel]?.subscribers.isEmpty == true { channels.removeValue(forKey: channel) }
        }
    }

    /// Removes a closed session from every channel.
    func remove(_ session: GatewaySession, channels names: some Sequence<String>) {
        for name in names { unsubscribe(session, channel: name) }
    }

    /// A message event from an origin.
    func received(channel: String, seq: Int64, event: ByteBuffer) {
        var drains: [GatewaySession.LoopDrains] = []
        let fetch: (after: Int64, before: Int64)? = channels.withLock { channels in
            guard var state = channels[channel] else { return nil }
            defer { channels[channel] = state }
            guard var feed = state.feed else {
                state.early.append((seq, event))
                return nil
            }
            let action = feed.received(seq: seq, event: event)
            state.feed = feed
            return Self.perform(action, on: &state, drains: &drains)
        }
        GatewaySession.scheduleDrains(drains)
        if let fetch { startGapFetch(channel, after: fetch.after, before: fetch.before) }
    }

    private func startGapFetch(_ channel: String, after: Int64, before: Int64) {
        Task {
            // A fetch that never answers (an origin stuck on PostgreSQL) must not hold the
            // channel: past `fetchTimeout` it counts as failed and the next tick fetches again.
            let events = (try? await withDeadline(fetchTimeout) { await self.fetchGap(channel, after, before) }) ?? nil
            var drains: [GatewaySession.LoopDrains] = []
            let fetch: (after: Int64, before: Int64)? = channels.withLock { channels in
                guard var state = channels[channel], var feed = state.feed else { return nil }
                defer { channels[channel] = state }
                guard let events else {
                    feed.fetchFailed()
                    state.feed = feed
                    return nil
                }
                let action = feed.filled(events)
                state.feed = feed
                return Self.perform(action, on: &state, drains: &drains)
            }
            GatewaySession.scheduleDrains(drains)
            if let fetch { startGapFetch(channel, after: fetch.after, before: fetch.before) }
        }
    }

    /// Carries out a feed's action with the channel lock held: released events are queued to
    /// the subscribers in the same hold of the lock as the release itself, so two releases of
    /// one channel (from two origins' links, or a gap fill beside a live event) reach every
    /// session in seq order. (Queued in a later hold, a release could overtake an earlier
    /// one, and the subscribers' cursors would then skip the earlier events.) Returns the gap
    /// to fetch, if any; the loops to drain are added to `drains`, for after the lock.
    private static func perform(_ action: ChannelFeed<ByteBuffer>.Action, on state: inout Channel,
                                drains: inout [GatewaySession.LoopDrains]) -> (after: Int64, before: Int64)? {
        switch action {
        case .deliver(let events):
            drains += queue(events, to: &state)
            return nil
        case .fetch(let after, let before):
            return (after, before)
        case .none:
            return nil
        }
    }

    /// Queues released events to every live subscriber past its cursor (subscribers still
    /// waiting for their replay keep them); call with the channel lock held. Returns the
    /// sessions to drain, by event loop.
    private static func queue(_ events: [(seq: Int64, event: ByteBuffer)], to state: inout Channel) -> [GatewaySession.LoopDrains] {
        guard let first = events.first?.seq, let last = events.last?.seq else { return [] }
        // Each event's frame is encoded once (`OutboundText.shared`), with a copy for each
        // event loop: the subscribers of one loop share its buffers, so two loops do not
        // contend for the reference counts of the same buffers and arrays.
        let frames = OutboundText.shared(events.map(\.event))
        var loops: [ObjectIdentifier: (frames: [OutboundText], drains: GatewaySession.LoopDrains)] = [:]
        for (id, var subscriber) in state.subscribers {
            if subscriber.waiting != nil {
                subscriber.waiting!.append(contentsOf: events)
            } else {
                let session = subscriber.session
                let mine = loops[session.loopID]?.frames ?? {
                    let copy = loops.isEmpty ? frames : frames.map { $0.copied() }
                    loops[session.loopID] = (copy, GatewaySession.LoopDrains(loop: session.eventLoop))
                    return copy
                }()
                // Usually every event is new to the subscriber: the loop's array, uncopied.
                let fresh = subscriber.cursor < first ? mine
                    : zip(events, mine).filter { $0.0.seq > subscriber.cursor }.map(\.1)
                if !fresh.isEmpty, session.queue(fresh).drain { loops[session.loopID]!.drains.sessions.append(session) }
                subscriber.cursor = max(subscriber.cursor, last)
            }
            state.subscribers[id] = subscriber
        }
        return loops.values.map(\.drains)
    }

    /// Sessions subscribed to `channel` (for typing and presence events).
    func subscribers(of channel: String) -> [GatewaySession] {
        channels.withLock { $0[channel]?.subscribers.values.filter { $0.waiting == nil }.map(\.session) ?? [] }
    }
}

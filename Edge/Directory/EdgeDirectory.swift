import Synchronization

/// This edge's view of the edge directory: every live edge (itself included) with its region,
/// addresses, load and the calls it hosts, refreshed from the origins by `EdgeAnnouncer` about
/// once a second; and this edge's own calls, which the announcer reports.
///
/// Entries expire on their own (`EdgeInfo.expires`): an edge that stops announcing, or a
/// directory this edge can no longer refresh, empties within the time to live. Safe from any
/// thread; every read is a snapshot.
public final class EdgeDirectory: Sendable {
    /// This edge's node id and region.
    public let localID: String
    public let region: String
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    private struct State {
        var edges: [String: EdgeInfo] = [:]
        /// Local participants per call (channel id).
        var hosted: [String: Int] = [:]
        var relay: String?
        var draining = false
        var localChanged: (@Sendable () -> Void)?
        var observers: [UInt64: @Sendable () -> Void] = [:]
        var nextObserver: UInt64 = 0
    }

    public init(localID: String, region: String, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.localID = localID
        self.region = region
        self.now = now
        self.state = Mutex(State())
    }

    // MARK: Reading the directory

    /// Every live edge, by id.
    public func edges() -> [EdgeInfo] {
        let now = self.now()
        return state.withLock { state in state.edges.values.filter { $0.expires > now } }.sorted { $0.id < $1.id }
    }

    /// The live edge `id`, if any.
    public func edge(id: String) -> EdgeInfo? {
        let now = self.now()
        return state.withLock { $0.edges[id] }.flatMap { $0.expires > now ? $0 : nil }
    }

    /// The live edges hosting participants of `call` (a channel id), this one included when it does.
    public func edgesHosting(call: String) -> [EdgeInfo] {
        edges().filter { $0.calls.contains(call) }
    }

    /// The live edges other than this one hosting participants of `call`: where a relay sends
    /// this edge's tracks of that call.
    public func remoteEdgesHosting(call: String) -> [EdgeInfo] {
        edgesHosting(call: call).filter { $0.id != localID }
    }

    /// Calls `handler` after every refresh that changed the directory (an edge came, went or
    /// changed, a call moved); returns a token for `removeObserver`. The handler runs on the
    /// announcer's task: keep it short (hop elsewhere for real work).
    @discardableResult
    public func observe(_ handler: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { state in
            state.nextObserver += 1
            state.observers[state.nextObserver] = handler
            return state.nextObserver
        }
    }

    public func removeObserver(_ token: UInt64) {
        _ = state.withLock { $0.observers.removeValue(forKey: token) }
    }

    // MARK: What this edge reports about itself

    /// A participant joined `call` on this edge.
    public func participantJoined(call: String) {
        let first = state.withLock { state -> Bool in
            state.hosted[call, default: 0] += 1
            return state.hosted[call] == 1
        }
        if first { localChanged() }
    }

    /// A participant of `call` left this edge.
    public func participantLeft(call: String) {
        let last = state.withLock { state -> Bool in
            guard let count = state.hosted[call] else { return false }
            if count <= 1 { state.hosted[call] = nil; return true }
            state.hosted[call] = count - 1
            return false
        }
        if last { localChanged() }
    }

    /// Calls with participants on this edge, and how many.
    public var hostedCalls: [String: Int] { state.withLock { $0.hosted } }

    /// Local call participants in all.
    public var localParticipants: Int { state.withLock { $0.hosted.values.reduce(0, +) } }

    /// The address (`host:port`) other edges reach this edge's media relay on; announced from
    /// the next announcement on.
    public var relayAddress: String? {
        get { state.withLock { $0.relay } }
        set {
            state.withLock { $0.relay = newValue }
            localChanged()
        }
    }

    /// Set while this edge drains (announced at once: routing sends no one new here).
    public var draining: Bool {
        get { state.withLock { $0.draining } }
        set {
            state.withLock { $0.draining = newValue }
            localChanged()
        }
    }

    // MARK: Fed by the announcer

    /// Called (once) by the announcer: wakes it when this edge's calls, relay or draining change.
    public func onLocalChange(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.localChanged = handler }
    }

    /// Replaces the directory with `edges` (the origins' answer, expiries already converted to
    /// this process's clock) and tells the observers if anything but expiries changed.
    public func replace(with edges: [EdgeInfo]) {
        let observers = state.withLock { state -> [@Sendable () -> Void] in
            let fresh = Dictionary(edges.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let changed = fresh.count != state.edges.count || fresh.contains { id, edge in
                guard var old = state.edges[id] else { return true }
                old.expires = edge.expires
                return old != edge
            }
            state.edges = fresh
            return changed ? Array(state.observers.values) : []
        }
        for observer in observers { observer() }
    }

    /// Drops expired entries (the directory could not be refreshed) and tells the observers
    /// if any went.
    public func sweep() {
        let now = self.now()
        let observers = state.withLock { state -> [@Sendable () -> Void] in
            let before = state.edges.count
            state.edges = state.edges.filter { $0.value.expires > now }
            return state.edges.count != before ? Array(state.observers.values) : []
        }
        for observer in observers { observer() }
    }

    private func localChanged() {
        state.withLock { $0.localChanged }?()
    }
}

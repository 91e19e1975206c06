/// Which relay links the cascade should have, decided from the edge directory (issue 14,
/// docs/cascade.md "Driven by the directory"). Pure: no I/O, no clock; the edge's
/// `CascadeLinker` feeds it the directory and the calls this edge hosts, performs the actions
/// and reports which links opened.
///
/// Rules:
/// - For every call hosted here, every *other* live edge that hosts it and announces a relay
///   address gets a link (one per call and peer relay address).
/// - A link the plan opened is closed when its peer no longer hosts the call (`notHosting`),
///   or when no live edge announces that relay address any more (`gone`: expired = dead, or
///   withdrawn): its tracks are dropped at once instead of after the relay's consent timeout.
/// - A call no longer hosted here is forgotten without action: the call closed its links itself.
/// - When this edge is not in its own view, the view is not current (the origins are
///   unreachable from here): nothing is closed, the links fall back to relay consent.
/// - Links opened by peers (their hellos) are not the plan's: it never closes them, though a
///   link it asks for that already exists counts as its own from then on.
public struct CascadePlan: Sendable {
    public struct Link: Hashable, Sendable, CustomStringConvertible {
        /// The call (channel id) and the peer edge's relay address (`host:port`, as announced).
        public var call: String
        public var peer: String

        public init(call: String, peer: String) {
            self.call = call
            self.peer = peer
        }

        public var description: String { "\(call)→\(peer)" }
    }

    public enum Reason: String, Sendable {
        /// The peer is live but hosts the call no more.
        case notHosting = "not-hosting"
        /// No live edge announces the peer's relay address: dead (expired) or withdrawn.
        case gone
    }

    public enum Action: Hashable, Sendable {
        case link(Link)
        case unlink(Link, Reason)
    }

    /// Links the plan opened and has not closed.
    public private(set) var linked: Set<Link> = []
    /// Links asked for and not yet confirmed (`opened`).
    public private(set) var pending: Set<Link> = []

    public init() {}

    /// The actions that bring the links in line with the directory.
    /// - Parameters:
    ///   - localID: this edge's id.
    ///   - hosted: calls with participants on this edge.
    ///   - edges: the live edges (this one included when the view is current).
    ///   - maxLinks: the most links to ask for (the relay's own limit); more are left out.
    public mutating func reconcile(localID: String, hosted: Set<String>, edges: [EdgeInfo], maxLinks: Int = .max) -> [Action] {
        // Calls that ended here: their links closed with them.
        linked = linked.filter { hosted.contains($0.call) }
        pending = pending.filter { hosted.contains($0.call) }
        guard edges.contains(where: { $0.id == localID }) else { return [] }

        var wanted = Set<Link>()
        var live = Set<String>()
        for edge in edges where edge.id != localID {
            guard let relay = edge.relay, !relay.isEmpty else { continue }
            live.insert(relay)
            for call in edge.calls where hosted.contains(call) {
                wanted.insert(Link(call: call, peer: relay))
            }
        }
        var actions: [Action] = []
        for link in linked.subtracting(wanted).sorted(by: Self.order) {
            actions.append(.unlink(link, live.contains(link.peer) ? .notHosting : .gone))
            linked.remove(link)
        }
        pending = pending.intersection(wanted)
        var budget = max(0, maxLinks - linked.count - pending.count)
        for link in wanted.subtracting(linked).subtracting(pending).sorted(by: Self.order) where budget > 0 {
            actions.append(.link(link))
            pending.insert(link)
            budget -= 1
        }
        return actions
    }

    /// The outcome of a `link` action: true when the link exists now (opened or already there),
    /// false when it could not be opened (no such call here yet, the relay's link limit): the
    /// next `reconcile` asks again.
    public mutating func opened(_ link: Link, _ succeeded: Bool) {
        guard pending.remove(link) != nil else { return }
        if succeeded { linked.insert(link) }
    }

    static func order(_ a: Link, _ b: Link) -> Bool {
        (a.call, a.peer) < (b.call, b.peer)
    }
}

import NIOCore

/// A channel's live subscribers on this edge (caught up with its feed: every event it releases
/// from now on is theirs), grouped by event loop. The hub hands each released event to every
/// loop at once (`GatewaySession.deliver`), so it touches no session per event: each session is
/// touched once, on its own loop, by the write.
struct LiveSubscribers {
    /// One event loop's live subscribers.
    struct Loop {
        let loop: any EventLoop
        let id: ObjectIdentifier
        fileprivate(set) var sessions: [GatewaySession] = []
    }

    /// The loops that ever had a subscriber of the channel (a handful: the edge's event loops);
    /// one that emptied stays, with no sessions.
    private(set) var loops: [Loop] = []
    /// Where each session is: its loop's index in `loops` and its own in that loop's `sessions`.
    private var positions: [UInt64: (loop: Int, index: Int)] = [:]

    var isEmpty: Bool { positions.isEmpty }

    func contains(_ id: UInt64) -> Bool { positions[id] != nil }

    /// Every live session, loop by loop.
    var sessions: [GatewaySession] { loops.flatMap(\.sessions) }

    mutating func insert(_ session: GatewaySession) {
        guard positions[session.id] == nil else { return }
        let loop = loops.firstIndex { $0.id == session.loopID } ?? {
            loops.append(Loop(loop: session.eventLoop, id: session.loopID))
            return loops.count - 1
        }()
        positions[session.id] = (loop, loops[loop].sessions.count)
        loops[loop].sessions.append(session)
    }

    /// Removes a session (the last of its loop takes its place); false if it was not here.
    @discardableResult
    mutating func remove(_ id: UInt64) -> Bool {
        guard let (loop, index) = positions.removeValue(forKey: id) else { return false }
        let last = loops[loop].sessions.removeLast()
        if last.id != id {
            loops[loop].sessions[index] = last
            positions[last.id] = (loop, index)
        }
        return true
    }
}

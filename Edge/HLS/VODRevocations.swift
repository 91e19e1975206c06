import Foundation
import Synchronization

/// Videos deleted by their owners, as the origins announced them (`deleted` video events):
/// the edge refuses their playback tokens (404) although the tokens' signatures are still
/// good, until those tokens have expired (`lifetime`, the playback-token lifetime). Bounded:
/// at most `maxEntries` ids, the oldest forgotten first (their objects are gone from storage
/// and from this edge's cache anyway, so a forgotten id only answers 404 one step later).
final class VODRevocations: Sendable {
    private struct State {
        var until: [String: ContinuousClock.Instant] = [:]
        var order: [(id: String, until: ContinuousClock.Instant)] = []
    }

    let lifetime: Duration
    let maxEntries: Int
    private let state = Mutex(State())

    init(lifetime: Duration = .seconds(6 * 3_600 + 300), maxEntries: Int = 100_000) {
        self.lifetime = lifetime
        self.maxEntries = max(1, maxEntries)
    }

    /// Refuses `videoID` from now on.
    func revoke(_ videoID: String, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let until = now + lifetime
            state.until[videoID] = until
            state.order.append((videoID, until))
            // Forget expired ids, then the oldest beyond the bound.
            var drop = 0
            while drop < state.order.count,
                  state.order[drop].until <= now || state.order.count - drop > maxEntries {
                let old = state.order[drop]
                if state.until[old.id] == old.until { state.until[old.id] = nil }
                drop += 1
            }
            if drop > 0 { state.order.removeFirst(drop) }
        }
    }

    /// Whether `videoID` was deleted.
    func isRevoked(_ videoID: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { $0.until[videoID].map { $0 > now } ?? false }
    }

    var count: Int { state.withLock { $0.until.count } }
}

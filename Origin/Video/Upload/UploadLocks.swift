import Foundation
import Synchronization

/// At most one writer per video on this origin: a PATCH (or DELETE) arriving while another
/// is still storing waits briefly for it (a PATCH whose client or edge went away commits
/// its tail quickly), then gives up with 423. Across origins the compare-and-set on the
/// stored offset keeps writers from both winning; edges route an upload's requests to
/// one origin (rendezvous hashing on the video id) so that is rare.
final class UploadLocks: Sendable {
    private let held = Mutex<Set<UUID>>([])

    func tryLock(_ id: UUID) -> Bool { held.withLock { $0.insert(id).inserted } }

    func unlock(_ id: UUID) { _ = held.withLock { $0.remove(id) } }

    /// Runs `body` holding the lock on `id`; nil if it stayed taken for `wait`.
    func withLock<T: Sendable>(_ id: UUID, wait: Duration, _ body: () async throws -> T) async throws -> T? {
        let deadline = ContinuousClock.now + wait
        while !tryLock(id) {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { unlock(id) }
        return try await body()
    }
}

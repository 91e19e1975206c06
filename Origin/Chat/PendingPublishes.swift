import StreamLyAPI
import StreamLyRetry
import Synchronization

/// How a publish ended: committed with a seq, or given up by the sequencer (never stored).
enum PublishOutcome: Sendable {
    case published(ChatLinkBodies.Published)
    case rejected(code: API.ErrorCode, message: String)
}

/// Publishers waiting for their message to be committed (or rejected), keyed by
/// `channel|author|client_id`. The fan-out consumer resolves them from the events topic.
/// A key is registered before the record is produced, so an outcome that arrives
/// before the publisher starts waiting is kept, not lost.
///
/// A commit answers every attempt of the key (retries of one `client_id` are one message).
/// A rejection answers only the attempt it names (each produced record carries an attempt
/// id): a retry must not be told that an earlier attempt, given up after that publisher had
/// timed out, failed, since the retry itself may still be stored.
final class PendingPublishes: Sendable {
    private typealias Waiter = CheckedContinuation<PublishOutcome?, Never>

    private struct Entry {
        var committed: PublishOutcome?
        /// Rejections by attempt id ("" for a rejection that names none: every attempt).
        var rejections: [String: PublishOutcome] = [:]
        var waiters: [UInt64: (attempt: String, waiter: Waiter, timer: CoarseTimers.Token)] = [:]
        var registrations = 1

        func outcome(of attempt: String) -> PublishOutcome? { committed ?? rejections[attempt] ?? rejections[""] }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let nextWaiter = Atomic<UInt64>(0)
    /// One timer per waiting publish (no task), cancelled when the publish is answered.
    private let timers: CoarseTimers

    init(timers: CoarseTimers = .shared) {
        self.timers = timers
    }

    static func key(channel: String, author: String, clientID: String) -> String { "\(channel)|\(author)|\(clientID)" }

    /// Registers interest in `key`; balance with `wait` (which unregisters).
    func register(_ key: String) {
        entries.withLock { entries in
            if entries[key] != nil { entries[key]!.registrations += 1 } else { entries[key] = Entry() }
        }
    }

    /// Waits for the outcome of attempt `attempt` of a registered `key`, or returns nil after `timeout`.
    func wait(for key: String, attempt: String = "", timeout: Duration) async -> PublishOutcome? {
        let id = nextWaiter.wrappingAdd(1, ordering: .relaxed).oldValue
        let result = await withCheckedContinuation { (continuation: Waiter) in
            let ready: PublishOutcome?? = entries.withLock { entries in
                guard let entry = entries[key] else { return .some(nil) }
                if let result = entry.outcome(of: attempt) { return .some(result) }
                if timeout <= .zero { return .some(nil) }
                let timer = timers.schedule(after: timeout) {
                    let waiter = self.entries.withLock { $0[key]?.waiters.removeValue(forKey: id) }
                    waiter?.waiter.resume(returning: nil)
                }
                entries[key]!.waiters[id] = (attempt, continuation, timer)
                return .none
            }
            if case .some(let value) = ready { continuation.resume(returning: value) }
        }
        entries.withLock { entries in
            entries[key]?.registrations -= 1
            if entries[key]?.registrations ?? 0 <= 0 { entries.removeValue(forKey: key) }
        }
        return result
    }

    /// Records the outcome of `key` (if anyone registered) and wakes its waiters: a commit
    /// wakes all, a rejection those of `attempt` (all when it names none).
    func resolve(_ key: String, with result: PublishOutcome, attempt: String = "") {
        let waiters = entries.withLock { entries -> [(waiter: Waiter, timer: CoarseTimers.Token)] in
            guard var entry = entries[key] else { return [] }
            if case .published = result { entry.committed = result } else { entry.rejections[attempt] = result }
            let woken = entry.waiters.filter { entry.outcome(of: $0.value.attempt) != nil }
            for id in woken.keys { entry.waiters.removeValue(forKey: id) }
            entries[key] = entry
            return woken.values.map { ($0.waiter, $0.timer) }
        }
        for (waiter, timer) in waiters {
            timers.cancel(timer)
            waiter.resume(returning: result)
        }
    }
}

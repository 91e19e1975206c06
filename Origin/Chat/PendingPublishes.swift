import Dispatch
import Synchronization
import StreamLyAPI

/// How a publish ended: committed with a seq, or given up by the sequencer (never stored).
enum PublishOutcome: Sendable {
    case published(ChatLinkBodies.Published)
    case rejected(code: API.ErrorCode, message: String)
}

/// Publishers waiting for their message to be committed (or rejected), keyed by
/// `channel|author|client_id`. The fan-out consumer resolves them from the events topic.
/// A key is registered before the record is produced, so an outcome that arrives
/// before the publisher starts waiting is kept, not lost.
final class PendingPublishes: Sendable {
    private typealias Waiter = CheckedContinuation<PublishOutcome?, Never>

    private struct Entry {
        var result: PublishOutcome?
        var waiters: [UInt64: Waiter] = [:]
        var registrations = 1
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let nextWaiter = Atomic<UInt64>(0)
    /// Timeouts run here: one timer per waiting publish, no task.
    private let timers = DispatchQueue(label: "streamly.pending-publishes")

    static func key(channel: String, author: String, clientID: String) -> String { "\(channel)|\(author)|\(clientID)" }

    /// Registers interest in `key`; balance with `wait` (which unregisters).
    func register(_ key: String) {
        entries.withLock { entries in
            if entries[key] != nil { entries[key]!.registrations += 1 } else { entries[key] = Entry() }
        }
    }

    /// Waits for the outcome of a registered `key`, or returns nil after `timeout`.
    func wait(for key: String, timeout: Duration) async -> PublishOutcome? {
        let id = nextWaiter.wrappingAdd(1, ordering: .relaxed).oldValue
        let result = await withCheckedContinuation { (continuation: Waiter) in
            let ready: PublishOutcome?? = entries.withLock { entries in
                guard entries[key] != nil else { return .some(nil) }
                if let result = entries[key]!.result { return .some(result) }
                if timeout <= .zero { return .some(nil) }
                entries[key]!.waiters[id] = continuation
                return .none
            }
            if case .some(let value) = ready {
                continuation.resume(returning: value)
                return
            }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            timers.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                let waiter = self.entries.withLock { $0[key]?.waiters.removeValue(forKey: id) }
                waiter?.resume(returning: nil)
            }
        }
        entries.withLock { entries in
            entries[key]?.registrations -= 1
            if entries[key]?.registrations ?? 0 <= 0 { entries.removeValue(forKey: key) }
        }
        return result
    }

    /// Records the outcome of `key` (if anyone registered) and wakes its waiters.
    func resolve(_ key: String, with result: PublishOutcome) {
        let waiters = entries.withLock { entries -> [Waiter] in
            guard entries[key] != nil else { return [] }
            entries[key]!.result = result
            defer { entries[key]!.waiters = [:] }
            return Array(entries[key]!.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }
}

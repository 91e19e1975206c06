import Synchronization
import StreamLyAPI

/// Publishers waiting for their message to be committed, keyed by
/// `channel|author|client_id`. The fan-out consumer resolves them from the events topic.
/// A key is registered before the record is produced, so a commit that arrives
/// before the publisher starts waiting is kept, not lost.
final class PendingPublishes: Sendable {
    private struct Entry {
        var result: ChatLinkBodies.Published?
        var waiters: [CheckedContinuation<ChatLinkBodies.Published?, Never>] = []
        var registrations = 1
        /// Set when a wait timed out: late waiters of this round return at once.
        var timedOut = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    static func key(channel: String, author: String, clientID: String) -> String { "\(channel)|\(author)|\(clientID)" }

    /// Registers interest in `key`; balance with `wait` (which unregisters).
    func register(_ key: String) {
        entries.withLock { entries in
            if entries[key] != nil { entries[key]!.registrations += 1 } else { entries[key] = Entry() }
        }
    }

    /// Waits for the commit of a registered `key`, or returns nil after `timeout`.
    func wait(for key: String, timeout: Duration) async -> ChatLinkBodies.Published? {
        let result = await withTaskGroup(of: ChatLinkBodies.Published?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready: ChatLinkBodies.Published?? = self.entries.withLock { entries in
                        guard entries[key] != nil else { return .some(nil) }
                        if let result = entries[key]!.result { return .some(result) }
                        if entries[key]!.timedOut { return .some(nil) }
                        entries[key]!.waiters.append(continuation)
                        return .none
                    }
                    if case .some(let value) = ready { continuation.resume(returning: value) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil { self.wakeAll(key) }
            group.cancelAll()
            return first
        }
        entries.withLock { entries in
            entries[key]?.registrations -= 1
            if entries[key]?.registrations ?? 0 <= 0 { entries.removeValue(forKey: key) }
        }
        return result
    }

    /// Records the commit of `key` (if anyone registered) and wakes its waiters.
    func resolve(_ key: String, with result: ChatLinkBodies.Published) {
        let waiters = entries.withLock { entries -> [CheckedContinuation<ChatLinkBodies.Published?, Never>] in
            guard entries[key] != nil else { return [] }
            entries[key]!.result = result
            defer { entries[key]!.waiters = [] }
            return entries[key]!.waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Releases the waiters of `key` empty-handed (timeout).
    private func wakeAll(_ key: String) {
        let waiters = entries.withLock { entries -> [CheckedContinuation<ChatLinkBodies.Published?, Never>] in
            entries[key]?.timedOut = true
            defer { entries[key]?.waiters = [] }
            return entries[key]?.waiters ?? []
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}

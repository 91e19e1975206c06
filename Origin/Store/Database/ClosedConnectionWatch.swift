import NIOCore
import PostgresNIO
import Synchronization

/// Tells whoever holds a leased connection when that connection closes under them.
///
/// postgres-nio writes each statement to its connection's channel without a write promise. A
/// statement written after the channel closed and dropped its handlers is discarded, and the
/// answer it waits for never comes (the fix, vapor/postgres-nio#487, was reverted by #501). A
/// PostgreSQL restart makes this happen to work under way: the next statement of a transaction,
/// its `ROLLBACK`, or a pooled query that leased the connection a moment before the pool heard
/// of the close. Whoever holds the connection then learns of the close from here and stops
/// waiting (`Database.leasing`).
///
/// One close callback per connection, not per lease: callbacks on a future pile up until it
/// completes, and a pooled connection serves millions of leases. A connection has one holder at
/// a time (the pool leases it exclusively), and its entry goes when it closes.
final class ClosedConnectionWatch: Sendable {
    private struct Entry {
        /// Called once if the connection closes while held.
        var onClose: (@Sendable () -> Void)?
    }

    private let entries = Mutex<[PostgresConnection.ID: Entry]>([:])

    /// Makes `onClose` the action to take if `connection` closes before `release(_:)`; called
    /// at once (on the connection's event loop) if it has closed already.
    func hold(_ connection: PostgresConnection, onClose: @escaping @Sendable () -> Void) {
        let isNew = entries.withLock { entries in
            let isNew = entries[connection.id] == nil
            entries[connection.id, default: Entry()].onClose = onClose
            return isNew
        }
        guard isNew else { return }
        let id = connection.id
        connection.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            let onClose = self.entries.withLock { $0.removeValue(forKey: id)?.onClose }
            onClose?()
        }
    }

    /// `connection` is no longer held: its closing concerns nobody now.
    func release(_ connection: PostgresConnection) {
        entries.withLock { entries in
            // Only an open connection still has an entry: a closed one's went with its close.
            if entries[connection.id] != nil { entries[connection.id]?.onClose = nil }
        }
    }
}

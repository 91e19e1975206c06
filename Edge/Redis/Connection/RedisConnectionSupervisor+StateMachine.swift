extension RedisConnectionSupervisor {
    /// The supervisor's state without I/O: the current connection, callers waiting for one, the
    /// reconnect loop's sleep, and whether the owner was closed. Each event returns what to do;
    /// the supervisor resumes continuations and closes connections. Generic over the connection
    /// so tests can drive it without a channel.
    struct StateMachine<Connection: AnyObject & Sendable> {
        typealias Waiter = CheckedContinuation<Connection, any Error>

        private(set) var connection: Connection?
        private(set) var isClosed = false
        private var waiters: [UInt64: Waiter] = [:]
        private var nextWaiterID: UInt64 = 0
        private var sleeper: CheckedContinuation<Void, Never>?

        init() {}

        /// The number of callers waiting for a connection.
        var waiterCount: Int { waiters.count }

        enum RequestAction {
            /// Use this connection now.
            case use(Connection)
            /// Fail the caller now.
            case fail(RedisError)
            /// Wait: call `addWaiter` (or fail with `.unavailable` if the caller may not wait).
            case wait
        }

        /// A caller wants a connection.
        func requestConnection() -> RequestAction {
            if isClosed { return .fail(RedisError(.closed, "Redis client is closed")) }
            if let connection { return .use(connection) }
            return .wait
        }

        /// A waiting caller's id, to pass to `waiterTimedOut` or `waiterCancelled`.
        mutating func makeWaiterID() -> UInt64 {
            nextWaiterID += 1
            return nextWaiterID
        }

        enum AddWaiterAction {
            case resume(Connection)
            case fail(RedisError)
            /// Stored: schedule its timeout.
            case stored
        }

        /// Parks `waiter` until a connection is up (re-checking state, which may have changed).
        mutating func addWaiter(id: UInt64, _ waiter: Waiter) -> AddWaiterAction {
            switch requestConnection() {
            case .use(let connection): return .resume(connection)
            case .fail(let error): return .fail(error)
            case .wait:
                waiters[id] = waiter
                return .stored
            }
        }

        /// The waiter's time ran out, or its task was cancelled: the caller fails it if returned.
        mutating func removeWaiter(id: UInt64) -> Waiter? {
            waiters.removeValue(forKey: id)
        }

        enum ConnectedAction {
            /// Publish succeeded: resume these waiters with the connection.
            case resume([Waiter], Connection)
            /// The owner closed meanwhile: close the new connection.
            case closeConnection
        }

        /// A connection finished its handshake.
        mutating func connected(_ connection: Connection) -> ConnectedAction {
            guard !isClosed else { return .closeConnection }
            self.connection = connection
            let resumed = Array(waiters.values)
            waiters.removeAll()
            return .resume(resumed, connection)
        }

        /// A connection closed; later requests wait for the next one.
        mutating func disconnected(_ connection: Connection) {
            if self.connection === connection { self.connection = nil }
        }

        /// The reconnect loop starts a backoff wait; false means closed, so do not sleep.
        mutating func startSleep(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
            guard !isClosed else { return false }
            sleeper = continuation
            return true
        }

        /// The backoff wait ended (timer fired or close): resume the returned continuation.
        mutating func endSleep() -> CheckedContinuation<Void, Never>? {
            defer { sleeper = nil }
            return sleeper
        }

        struct CloseAction {
            var waiters: [Waiter]
            var connection: Connection?
            var sleeper: CheckedContinuation<Void, Never>?
        }

        /// The owner is closing: fail waiters, close the connection, wake the reconnect loop.
        mutating func close() -> CloseAction {
            isClosed = true
            let action = CloseAction(waiters: Array(waiters.values), connection: connection, sleeper: sleeper)
            waiters.removeAll()
            connection = nil
            sleeper = nil
            return action
        }
    }
}

import NIOCore

/// The connections of one event loop, their shared counters, and the publish clock
/// that drives their publishers. Everything runs on that loop: no locks on the
/// delivery path, one histogram per loop, merged at the end.
///
/// `@unchecked Sendable`: the instance is handed to connect tasks and to the command,
/// but its state is only read or written on `eventLoop` (asserted in each method);
/// other threads reach it through `eventLoop.submit`/`execute`.
final class ChatLoopDriver: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// Written by this loop's connections as events arrive.
    var stats = ChatStats()
    /// The publishing period: publishes start at `publishStart`; the measured window is
    /// inside it (after the warm-up) and publishing stops when the window ends.
    private(set) var window: MeasurementWindow?
    private var publishStart: UInt64 = 0
    private var connections: [ChatConnectionHandler] = []
    private var publishers: [ChatConnectionHandler] = []
    private var ticker: RepeatedTask?

    /// Whether to keep a `ChatStats.TraceLine` per acknowledged publish.
    let tracing: Bool

    init(eventLoop: any EventLoop, tracing: Bool = false) {
        self.eventLoop = eventLoop
        self.tracing = tracing
    }

    func register(_ connection: ChatConnectionHandler) {
        eventLoop.assertInEventLoop()
        connections.append(connection)
        if connection.spec.publishRate > 0 { publishers.append(connection) }
    }

    /// Starts publishing at `start`; measures inside `window`; stops at its end.
    func start(at start: UInt64, window: MeasurementWindow, tick: TimeAmount = .milliseconds(1)) {
        eventLoop.execute {
            self.publishStart = start
            self.window = window
            self.ticker = self.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { task in
                if !self.tick(now: nowNanos()) { task.cancel() }
            }
        }
    }

    /// Sends every publish that is due; false once the window has ended.
    private func tick(now: UInt64) -> Bool {
        guard let window, !window.isOver(now) else { return false }
        guard now > publishStart else { return true }
        let elapsed = Double(now - publishStart) / 1e9
        for publisher in publishers {
            let rate = publisher.spec.publishRate
            let due = Int(elapsed * rate + publisher.spec.phase)
            if publisher.sent < due {
                let dueAt = publishStart + UInt64((Double(publisher.sent + 1) - publisher.spec.phase) / rate * 1e9)
                if now > dueAt { stats.maxSendLag = max(stats.maxSendLag, now - dueAt) }
            }
            while publisher.sent < due, publisher.publish(now: nowNanos()) {}
        }
        return true
    }

    /// Counters plus every subscriber's ledger, as they stand.
    func snapshot() -> EventLoopFuture<ChatStats> {
        eventLoop.submit {
            var copy = self.stats
            copy.ledgers = self.connections.filter(\.becameReady).map(\.ledger)
            return copy
        }
    }

    /// How far the run got (cheap: polled while draining).
    struct Progress: Sendable {
        var deliveries: Int
        var published: Int
        /// Publishes acknowledged or refused.
        var answered: Int
        /// Acks per channel index.
        var acked: [Int: Int]
    }

    func progress() -> EventLoopFuture<Progress> {
        eventLoop.submit {
            Progress(deliveries: self.stats.deliveries, published: self.stats.published,
                     answered: self.stats.acked + self.stats.publishErrors, acked: self.stats.ackedSeqs.mapValues(\.count))
        }
    }

    /// Closes every connection (expected closes are not errors) and drops them.
    func closeAll() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            self.ticker?.cancel()
            let closes = self.connections.map { $0.close() }
            self.connections = []
            self.publishers = []
            return EventLoopFuture.andAllComplete(closes, on: self.eventLoop)
        }
    }
}

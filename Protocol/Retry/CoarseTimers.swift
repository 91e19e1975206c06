import Dispatch
import Synchronization

/// Timers for the deadlines of many short operations (a publish waiting for its seq, an append
/// bounded in time): each fires between its deadline and one `resolution` later. One dispatch
/// timer ticks every `resolution` while any timer is pending (none while all are idle), and
/// runs the due callbacks on its queue. Scheduling and cancelling take a lock and touch a
/// dictionary: no task, no dispatch source and no thread wake-up per timer. (A dispatch timer
/// or a sleeping task per operation costs a wake-up of dispatch's manager thread to arm it and
/// one of a worker to fire or cancel it: at 500 chat messages a second that was two of each per
/// message in the origin.)
public final class CoarseTimers: Sendable {
    /// The timers of this process, 10 ms apart.
    public static let shared = CoarseTimers(resolution: .milliseconds(10))

    /// A pending timer, for `cancel`.
    public struct Token: Hashable, Sendable {
        let tick: UInt64
        let id: UInt64
    }

    private struct State {
        /// Callbacks by the tick they fire at, then by id.
        var buckets: [UInt64: [UInt64: @Sendable () -> Void]] = [:]
        var pending = 0
        var nextID: UInt64 = 0
        /// Every tick up to this one has fired.
        var fired: UInt64 = 0
        /// Ticks while `ticking`, suspended (or not yet activated) otherwise.
        let source: any DispatchSourceTimer
        var ticking = false
    }

    private let resolution: UInt64
    private let state: Mutex<State>

    /// - Parameter resolution: the ticks' interval (at least 1 ms).
    public init(resolution: Duration) {
        let (seconds, attoseconds) = resolution.components
        let nanoseconds = max(1_000_000, UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        self.resolution = nanoseconds
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "streamly.coarse-timers"))
        source.schedule(deadline: .now(), repeating: .nanoseconds(Int(nanoseconds)), leeway: .nanoseconds(Int(nanoseconds / 2)))
        state = Mutex(State(fired: Self.now / nanoseconds, source: source))
        state.withLock { $0.source.setEventHandler { [weak self] in self?.tick() } }
    }

    deinit {
        state.withLock { state in
            // A suspended source must be resumed before it is released.
            if !state.ticking { state.source.resume() }
            state.source.cancel()
        }
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Runs `callback` on the timers' queue once `delay` has passed (a delay of zero or less
    /// at the next tick), unless cancelled before.
    @discardableResult
    public func schedule(after delay: Duration, _ callback: @escaping @Sendable () -> Void) -> Token {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = seconds < 0 ? 0 : UInt64(clamping: seconds) &* 1_000_000_000 &+ UInt64(clamping: attoseconds / 1_000_000_000)
        // The first tick at or after the deadline.
        let due = (Self.now &+ min(nanoseconds, UInt64.max / 2) &+ resolution &- 1) / resolution
        return state.withLock { state in
            let tick = max(due, state.fired + 1)
            state.nextID &+= 1
            state.buckets[tick, default: [:]][state.nextID] = callback
            state.pending += 1
            if !state.ticking {
                state.ticking = true
                state.source.resume()
            }
            return Token(tick: tick, id: state.nextID)
        }
    }

    /// Cancels a timer; false if it already fired or was cancelled.
    @discardableResult
    public func cancel(_ token: Token) -> Bool {
        state.withLock { state in
            guard state.buckets[token.tick]?.removeValue(forKey: token.id) != nil else { return false }
            if state.buckets[token.tick]!.isEmpty { state.buckets.removeValue(forKey: token.tick) }
            state.pending -= 1
            return true
        }
    }

    /// How many timers are pending.
    public var pendingCount: Int { state.withLock { $0.pending } }

    private func tick() {
        let current = Self.now / resolution
        let due = state.withLock { state -> [@Sendable () -> Void] in
            var due: [@Sendable () -> Void] = []
            if current > state.fired {
                // Walk the ticks passed, or the buckets when there are fewer of them.
                let ticks: [UInt64] = current - state.fired <= UInt64(state.buckets.count)
                    ? Array(state.fired + 1...current) : state.buckets.keys.filter { $0 <= current }
                for tick in ticks {
                    guard let bucket = state.buckets.removeValue(forKey: tick) else { continue }
                    due.append(contentsOf: bucket.values)
                }
                state.fired = current
                state.pending -= due.count
            }
            if state.pending == 0, state.ticking {
                state.ticking = false
                state.source.suspend()
            }
            return due
        }
        for callback in due { callback() }
    }
}

import Dispatch
import StreamLyRetry
import Synchronization
import Testing

@Suite("Coarse timers")
struct CoarseTimersTests {
    /// Waits (polling, up to 60 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("a timer fires once, not before its deadline")
    func firesAfterItsDelay() async {
        let timers = CoarseTimers(resolution: .milliseconds(5))
        let scheduled = DispatchTime.now().uptimeNanoseconds
        let fired = Mutex<[UInt64]>([])
        timers.schedule(after: .milliseconds(40)) { fired.withLock { $0.append(DispatchTime.now().uptimeNanoseconds) } }
        await Self.eventually { !fired.withLock { $0.isEmpty } }
        try? await Task.sleep(for: .milliseconds(50))
        let times = fired.withLock { $0 }
        #expect(times.count == 1)
        #expect(times.allSatisfy { $0 - scheduled >= 40_000_000 }, "fired before its deadline")
        #expect(timers.pendingCount == 0)
    }

    @Test("a cancelled timer never fires; cancelling twice or after it fired says false")
    func cancel() async {
        let timers = CoarseTimers(resolution: .milliseconds(5))
        let fired = Atomic(0)
        // Due a second later than scheduled: the cancel right after it comes first even on a
        // loaded machine (with 20 ms, a thread preempted for longer saw it fire first).
        let cancelled = timers.schedule(after: .milliseconds(1_000)) { fired.add(1, ordering: .relaxed) }
        let kept = timers.schedule(after: .milliseconds(1_100)) { fired.add(10, ordering: .relaxed) }
        #expect(timers.cancel(cancelled))
        #expect(!timers.cancel(cancelled))
        await Self.eventually { fired.load(ordering: .relaxed) != 0 }
        try? await Task.sleep(for: .milliseconds(50))
        let total = fired.load(ordering: .relaxed)
        #expect(total == 10)
        #expect(!timers.cancel(kept))
    }

    @Test("thousands of timers from many threads, half cancelled: each of the others fires once")
    func many() async {
        let timers = CoarseTimers(resolution: .milliseconds(2))
        let count = 8 * 2_000
        let fired = Mutex([Int](repeating: 0, count: count))
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in stride(from: thread, to: count, by: 8) {
                // The ones to cancel are due 2 s later, so that their cancel, right after,
                // comes first even when the thread is preempted in between (a CI run saw a
                // timer due in 1 ms fire before its cancel).
                let cancelling = index % 2 == 1
                let token = timers.schedule(after: .milliseconds((cancelling ? 2_000 : 0) + index % 50)) {
                    fired.withLock { $0[index] += 1 }
                }
                if cancelling { #expect(timers.cancel(token)) }
            }
        }
        await Self.eventually { timers.pendingCount == 0 }
        // Past every deadline, the cancelled ones' included.
        try? await Task.sleep(until: start + .milliseconds(2_200))
        let counts = fired.withLock { $0 }
        #expect(counts.indices.filter { counts[$0] != ($0 % 2 == 0 ? 1 : 0) } == [])
    }

    @Test("timers scheduled after an idle spell (the ticking stopped) still fire")
    func afterIdle() async {
        let timers = CoarseTimers(resolution: .milliseconds(2))
        for round in 1...3 {
            let fired = Atomic(false)
            timers.schedule(after: .milliseconds(5)) { fired.store(true, ordering: .relaxed) }
            await Self.eventually { fired.load(ordering: .relaxed) }
            let didFire = fired.load(ordering: .relaxed)
            #expect(didFire, "round \(round)")
            try? await Task.sleep(for: .milliseconds(30))  // idle: every timer fired
        }
        #expect(timers.pendingCount == 0)
    }
}

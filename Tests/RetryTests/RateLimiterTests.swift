import StreamLyRetry
import Testing

@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test func burstThenRefillAtTheRate() {
        var limiter = RateLimiter<String>(limit: RateLimit(burst: 3, perMinute: 6))
        for _ in 0..<3 { #expect(limiter.acquire("ip", now: start) == .allowed) }
        // 6 a minute: one every 10 s.
        #expect(limiter.acquire("ip", now: start) == .limited(retryAfter: .seconds(10)))
        #expect(limiter.acquire("ip", now: start + .seconds(5)) == .limited(retryAfter: .seconds(5)))
        #expect(limiter.acquire("ip", now: start + .seconds(10)) == .allowed)
        #expect(limiter.acquire("ip", now: start + .seconds(10)) == .limited(retryAfter: .seconds(10)))
        // Another key has its own bucket.
        #expect(limiter.acquire("other", now: start) == .allowed)
    }

    @Test func refusedRequestsDoNotPushTheRetryFurther() {
        var limiter = RateLimiter<Int>(limit: RateLimit(burst: 1, perMinute: 60))
        #expect(limiter.acquire(1, now: start) == .allowed)
        for _ in 0..<100 { #expect(limiter.acquire(1, now: start) == .limited(retryAfter: .seconds(1))) }
        #expect(limiter.acquire(1, now: start + .seconds(1)) == .allowed)
    }

    @Test func keysAreBounded() {
        var limiter = RateLimiter<Int>(limit: .perMinute(2), maxKeys: 100)
        for key in 0..<1_000 { _ = limiter.acquire(key, now: start) }
        #expect(limiter.keyCount <= 100)
        // Full buckets are dropped first: keys that were used long ago make room.
        var settled = RateLimiter<Int>(limit: .perMinute(2), maxKeys: 2)
        _ = settled.acquire(1, now: start)
        _ = settled.acquire(2, now: start + .seconds(59))
        _ = settled.acquire(3, now: start + .seconds(61))
        #expect(settled.keyCount == 2)
        #expect(settled.acquire(2, now: start + .seconds(61)) == .allowed)
    }

    @Test func retryAfterSecondsRoundUp() {
        #expect(Duration.milliseconds(1).retryAfterSeconds == 1)
        #expect(Duration.milliseconds(1_001).retryAfterSeconds == 2)
        #expect(Duration.seconds(10).retryAfterSeconds == 10)
        #expect(Duration.zero.retryAfterSeconds == 1)
    }
}

@testable import StreamLyTranscode
import Testing

@Suite struct ProgressThrottleTests {
    @Test func reportsEveryPercentMonotonicallyThenOneOnce() {
        var throttle = ProgressThrottle()
        var reports: [Double] = []
        for step in 0...1000 {
            if let value = throttle.update(Double(step) / 1000, now: 0) { reports.append(value) }
        }
        if let value = throttle.finish() { reports.append(value) }
        #expect(throttle.finish() == nil)
        #expect(reports.first == 0)
        #expect(reports.last == 1)
        #expect(reports.count > 90 && reports.count < 110)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func timeAlsoTriggersAndBackwardsIsIgnored() {
        var throttle = ProgressThrottle()
        #expect(throttle.update(0.1, now: 0) == 0.1)
        #expect(throttle.update(0.105, now: 0.1) == nil)
        #expect(throttle.update(0.105, now: 0.7) == 0.105)
        #expect(throttle.update(0.05, now: 5) == nil)
        #expect(throttle.update(2, now: 5) == 0.999)
        #expect(throttle.update(.nan, now: 9) == nil)
    }
}

import Testing
@testable import StreamLyOrigin

/// What a transcode worker process starts with (`TranscodeProcess.workerEnvironment`).
@Suite struct TranscodeWorkerEnvironmentTests {
    @Test("a worker runs without the Swift backtracer (a crash ends it at once), with 2 malloc arenas and no STREAMLY_ keys")
    func workerEnvironment() {
        let environment = TranscodeProcess.workerEnvironment()
        #expect(environment["SWIFT_BACKTRACE"] == "enable=no")
        #expect(environment["MALLOC_ARENA_MAX"] != nil)
        #expect(!environment.keys.contains { $0.hasPrefix("STREAMLY_") })
    }
}

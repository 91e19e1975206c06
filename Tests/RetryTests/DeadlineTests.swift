import StreamLyRetry
import Synchronization
import Testing

@Suite("Deadlines")
struct DeadlineTests {
    @Test("a body that answers in time wins, its error too")
    func answerInTime() async throws {
        #expect(try await withDeadline(.seconds(3_600)) { 42 } == 42)
        await #expect(throws: CancellationError.self) { try await withDeadline(.seconds(3_600)) { throw CancellationError() } }
    }

    @Test("a body past its deadline: DeadlineExceeded, and the body is cancelled")
    func pastTheDeadline() async throws {
        let bodyCancelled = Atomic(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) {
                do { try await Task.sleep(for: .seconds(3_600)) } catch { bodyCancelled.store(true, ordering: .relaxed) }
                return 0
            }
        }
        while !bodyCancelled.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(1)) }
    }
}

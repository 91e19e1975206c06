import Testing
@testable import StreamLyOrigin

@Suite("BoundedBuffer: batches, backpressure and the end")
struct BoundedBufferTests {
    @Test func readerGetsBatchesInOrderThenNilAfterFinish() async throws {
        let buffer = BoundedBuffer<Int>(limit: 10)
        for value in 0..<7 { try await buffer.append(value) }
        buffer.finish()
        #expect(await buffer.nextBatch(maxCount: 3) == [0, 1, 2])
        #expect(await buffer.nextBatch(maxCount: 3) == [3, 4, 5])
        #expect(await buffer.nextBatch(maxCount: 3) == [6])
        #expect(await buffer.nextBatch(maxCount: 3) == nil)
    }

    @Test func readerWaitsForTheWriter() async throws {
        let buffer = BoundedBuffer<Int>(limit: 10)
        async let batch = buffer.nextBatch(maxCount: 5)
        try await Task.sleep(for: .milliseconds(20))
        try await buffer.append(42)
        #expect(await batch == [42])
    }

    @Test func writerWaitsWhileMoreThanTheLimitAreQueued() async throws {
        let buffer = BoundedBuffer<Int>(limit: 2)
        // Up to limit + 1 queued without waiting, as the sequencer's read-ahead allowed.
        for value in 0..<3 { try await buffer.append(value) }
        let writer = Task { try await buffer.append(3) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(await buffer.nextBatch(maxCount: 10) == [0, 1, 2])
        try await writer.value
        #expect(await buffer.nextBatch(maxCount: 10) == [3])
    }

    @Test func cancelledWriterStopsWaiting() async throws {
        let buffer = BoundedBuffer<Int>(limit: 0)
        try await buffer.append(0)
        let writer = Task { try await buffer.append(1) }
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }
        #expect(await buffer.nextBatch(maxCount: 10) == [0])
    }
}

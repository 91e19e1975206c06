import Foundation

/// The bounded hand-over between a consumer's poll thread and the task iterating
/// `KafkaConsumer.records`. When it is full the poll thread stops polling (librdkafka's
/// background threads keep the group session alive), so a slow reader gets backpressure
/// instead of unbounded memory growth.
///
/// `@unchecked Sendable`: every mutable property is only touched with `condition` locked.
final class KafkaRecordBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var records: [KafkaRecord] = []
    private var head = 0
    private var waiter: CheckedContinuation<KafkaRecord?, any Error>?
    /// Set once: nil while open, `.success` when ended normally, `.failure` with a fatal error.
    private var end: Result<Void, any Error>?
    private var endReported = false

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    private var count: Int { records.count - head }

    // MARK: Poll thread

    /// Waits up to `timeout` for room for one record; returns whether there is room.
    func waitForSpace(timeout: Duration) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if count < capacity { return true }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
        return count < capacity
    }

    /// Hands a record to a waiting reader, or stores it.
    func append(_ record: KafkaRecord) {
        condition.lock()
        guard end == nil else {
            condition.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: record)
            return
        }
        records.append(record)
        condition.unlock()
    }

    /// Drops stored records of these partitions (they were revoked; being uncommitted, the
    /// partitions' next owner reads them again).
    func removeRecords(in partitions: Set<KafkaTopicPartition>) {
        condition.lock()
        defer { condition.unlock() }
        records.removeSubrange(0..<head)
        head = 0
        records.removeAll { partitions.contains($0.topicPartition) }
        condition.broadcast()
    }

    /// Ends the sequence: stored records are dropped (uncommitted, so read again by the next
    /// consumer of their partitions); the reader gets `error` (if any), then nil. Only the
    /// first call has an effect.
    func finish(throwing error: (any Error)?) {
        condition.lock()
        guard end == nil else {
            condition.unlock()
            return
        }
        end = error.map { .failure($0) } ?? .success(())
        records = []
        head = 0
        let waiter = self.waiter
        self.waiter = nil
        if waiter != nil { endReported = true }
        condition.broadcast()
        condition.unlock()
        if let error {
            waiter?.resume(throwing: error)
        } else {
            waiter?.resume(returning: nil)
        }
    }

    // MARK: Reader

    /// The next record; nil once finished or if the waiting task is cancelled.
    func next() async throws -> KafkaRecord? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                if head < records.count {
                    let record = records[head]
                    head += 1
                    if head >= capacity {
                        records.removeSubrange(0..<head)
                        head = 0
                    }
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: record)
                    return
                }
                if let end {
                    let first = !endReported
                    endReported = true
                    condition.unlock()
                    if first, case .failure(let error) = end {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: nil)
                    }
                    return
                }
                if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                    return
                }
                precondition(waiter == nil, "KafkaConsumer.records iterated from two tasks at once")
                waiter = continuation
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            let waiter = self.waiter
            self.waiter = nil
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }
}

/// The records of a `KafkaConsumer`, in order within each partition. Ends (returns nil) when
/// the consumer is closed, throws `OriginNativeError` (`.kafkaConsume`) on a fatal error.
/// Iterate it from one task at a time; cancelling the iterating task ends that `next()` call
/// with nil but leaves the consumer running.
public struct KafkaRecordSequence: AsyncSequence, Sendable {
    public typealias Element = KafkaRecord

    let buffer: KafkaRecordBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: KafkaRecordBuffer

        public mutating func next() async throws -> KafkaRecord? {
            try await buffer.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }
}

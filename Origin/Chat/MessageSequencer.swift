import Foundation
import Logging
import Metrics
import NIOCore
import StreamLyOriginNative
import StreamLyRetry
import StreamLyStore

/// Reads accepted publishes from `streamly.chat.publish` as a member of the
/// sequencer consumer group (Kafka spreads the partitions, hence the channels, over
/// the origins), commits each message to PostgreSQL with the next gapless seq, emits
/// the committed event to `streamly.chat.events`, and only then commits the Kafka
/// offset. A crash anywhere replays from the last committed offset; `client_id`
/// deduplication in `MessageStore.append` makes the replay harmless.
struct MessageSequencer: Sendable {
    let producer: EventProducer
    /// Where committed messages go (`ChatTopics.events`).
    let eventsTopic: String
    /// Where records given up go (`ChatTopics.deadLetter`): refused by PostgreSQL, or not
    /// stored within `retry.maxAttempts` appends.
    let deadLetterTopic: String
    let messages: MessageStore
    let logger: Logger
    /// Backoff of PostgreSQL appends and of event re-emits; its `maxAttempts` bounds the
    /// appends of one record (then it is given up: `PublishRejection.retriesExhausted`).
    var retry = Self.retryPolicy(maxAttempts: Self.defaultMaxAttempts)
    /// Appends of one record before it is given up (`chat.sequencer.max.attempts`): about a
    /// minute of retries while PostgreSQL refuses connections.
    static let defaultMaxAttempts = 30
    /// Where retries sleep.
    var clock: any Clock<Duration> & Sendable = ContinuousClock()
    /// Most records handled per batch.
    static let batchLimit = 256
    /// Most records read ahead of processing before reading pauses.
    static let readAhead = 4 * batchLimit
    /// Longest wait for one append before it is retried.
    static let appendTimeout = Duration.seconds(10)

    /// Runs until `consumer` closes (returns) or fails (throws, after the batches read so far
    /// are processed: their offsets are not committed by a broken consumer, so whoever reads
    /// the partitions next sequences them again, deduplicated by `client_id`). Records are
    /// taken in batches; within a batch, channels proceed concurrently and each channel
    /// strictly in order.
    func run(_ consumer: KafkaConsumer) async throws {
        let buffer = BoundedBuffer<KafkaRecord>(limit: Self.readAhead)
        let failure = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                defer { buffer.finish() }
                do {
                    for try await record in consumer.records {
                        try await buffer.append(record)
                    }
                    return nil
                } catch {
                    return error
                }
            }
            group.addTask {
                while let batch = await buffer.nextBatch(maxCount: Self.batchLimit) {
                    await process(batch, consumer: consumer)
                }
                return nil
            }
            var failure: (any Error)?
            for await result in group { failure = failure ?? result }
            return failure
        }
        if let failure { throw failure }
    }

    /// Sequences one batch: channels concurrently, each channel's records in order. A
    /// record's event is handed to the producer right after its append, without waiting for
    /// the acknowledgement before the next append (the idempotent producer keeps a
    /// partition's order); the offsets are committed once every event of the batch is written.
    private func process(_ batch: [KafkaRecord], consumer: KafkaConsumer) async {
        var byChannel: [String: [KafkaRecord]] = [:]
        for record in batch { byChannel[String(decoding: record.key ?? [], as: UTF8.self), default: []].append(record) }
        await withTaskGroup(of: Void.self) { group in
            for records in byChannel.values {
                group.addTask {
                    var emitted: [(KafkaRecord, @Sendable () async throws -> Void)] = []
                    for record in records {
                        if let emit = await append(record) { emitted.append((record, emit)) }
                    }
                    // Acknowledgements come back in produce order: awaiting them one by one
                    // costs no more than awaiting them together.
                    for (record, emit) in emitted { await settle(record, emit) }
                }
            }
        }
        var last: [Int32: KafkaRecord] = [:]
        for record in batch where (last[record.partition]?.offset ?? -1) < record.offset { last[record.partition] = record }
        consumer.commitInBackground(Array(last.values))
    }

    /// Appends one message (retrying with backoff while PostgreSQL is unavailable, at most
    /// `retry.maxAttempts` appends in all) and hands its event to the producer; returns the
    /// wait for the event's acknowledgement, or nil for a record that is skipped: malformed,
    /// or given up (`AppendFailure`): refused by PostgreSQL for what it carries (retrying
    /// would stall the channel's partition for everyone), or still failing after every
    /// attempt. A record given up goes to the dead-letter topic, its publisher gets an
    /// error, and the partition moves on.
    private func append(_ record: KafkaRecord) async -> (@Sendable () async throws -> Void)? {
        guard let publish = try? JSONDecoder().decode(PublishRecord.self, from: Data(record.value)),
              let channel = UUID(uuidString: publish.channel), let author = UUID(uuidString: publish.author_id)
        else {
            logger.error("sequencer: skipping malformed record", metadata: ["offset": "\(record.offset)"])
            return nil
        }
        var failures = 0
        while !Task.isCancelled {
            do {
                // Bounded: after a PostgreSQL restart an append was seen to hang for good, which
                // stalled the whole partition; the append is idempotent, so it is simply retried.
                let messages = messages
                let result = try await withDeadline(Self.appendTimeout) {
                    try await messages.append(
                        channelID: channel, authorID: author, clientID: publish.client_id, body: publish.body,
                        attachments: publish.attachments ?? [])
                }
                let event = MessageEvent.encode(
                    channel: channel, seq: result.seq, id: result.id, clientID: publish.client_id, authorID: author,
                    body: publish.body, createdAt: result.createdAt, attachments: publish.attachments ?? [])
                return producer.start(topic: eventsTopic, key: record.key, value: Array(event.readableBytesView),
                                      headers: Self.headers(result, publish))
            } catch {
                failures += 1
                switch AppendFailure.decide(error, failedAttempts: failures, policy: retry) {
                case .retry(let delay):
                    logger.warning("sequencer: retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                    try? await clock.sleep(for: delay)
                case .reject(let rejection):
                    await reject(record, publish, rejection)
                    return nil
                }
            }
        }
        return nil
    }

    /// Gives a record up: sets it aside on the dead-letter topic, answers its publisher (a
    /// rejection record on the events topic, which `EventFanout` turns into the publish's
    /// error) and counts it in `streamly_chat_sequencer_rejected_total{reason}`. Best effort:
    /// losing either record loses nothing acknowledged, since the publisher got no seq (it
    /// then times out and retries with its `client_id`).
    private func reject(_ record: KafkaRecord, _ publish: PublishRecord, _ rejection: PublishRejection) async {
        logger.error("sequencer: rejecting record", metadata: [
            "offset": "\(record.offset)", "reason": "\(rejection.reason.name)", "error": "\(rejection.detail)",
        ])
        Counter(label: "streamly_chat_sequencer_rejected_total", dimensions: [("reason", rejection.reason.name)]).increment()
        do {
            try await producer.send(topic: deadLetterTopic, key: record.key, value: record.value, headers: [
                KafkaHeader(name: "reason", value: Array(rejection.detail.prefix(1_000).utf8)),
                KafkaHeader(name: "source-partition", value: Array(String(record.partition).utf8)),
                KafkaHeader(name: "source-offset", value: Array(String(record.offset).utf8)),
            ])
        } catch {
            logger.error("sequencer: dead-letter write failed", metadata: ["offset": "\(record.offset)", "error": "\(error)"])
        }
        do {
            try await producer.send(topic: eventsTopic, key: record.key, value: [], headers: [
                KafkaHeader(name: "rejected", value: Array(rejection.code.rawValue.utf8)),
                KafkaHeader(name: "message", value: Array(rejection.message.utf8)),
                KafkaHeader(name: "author", value: Array(publish.author_id.utf8)),
                KafkaHeader(name: "client-id", value: Array(publish.client_id.utf8)),
                KafkaHeader(name: "attempt", value: Array((publish.attempt ?? "").utf8)),
            ])
        } catch {
            logger.error("sequencer: rejection not written", metadata: ["offset": "\(record.offset)", "error": "\(error)"])
        }
    }

    /// Waits until the record's event is written; if it was not (broker unreachable past
    /// the message timeout, producer replaced), appends again (a duplicate: same seq) and
    /// re-emits, with backoff. The edges order events by seq, so a late re-emit is harmless.
    /// Bounded like appends (`retry.maxAttempts` emits): the message is stored by then, so
    /// giving its event up loses nothing: edges fill a quiet channel's tail from history,
    /// and the publisher, unanswered, retries with its `client_id` (which emits again).
    /// `streamly_chat_sequencer_events_unwritten_total` counts such events.
    private func settle(_ record: KafkaRecord, _ emitted: @escaping @Sendable () async throws -> Void) async {
        var emitted = emitted
        var failures = 0
        while !Task.isCancelled {
            do {
                try await emitted()
                return
            } catch {
                failures += 1
                guard retry.allowsAttempt(after: failures) else {
                    logger.error("sequencer: event not written, giving it up (the message is stored)", metadata: [
                        "offset": "\(record.offset)", "attempts": "\(failures)", "error": "\(error)",
                    ])
                    Counter(label: "streamly_chat_sequencer_events_unwritten_total").increment()
                    return
                }
                logger.warning("sequencer: event not written, emitting again", metadata: ["error": "\(error)"])
                try? await clock.sleep(for: retry.delay(attempt: failures - 1, unit: 0))
                guard let again = await append(record) else { return }
                emitted = again
            }
        }
    }

    /// `RetryPolicy.storageWrite` bounded to `maxAttempts` appends of one record.
    static func retryPolicy(maxAttempts: Int) -> RetryPolicy {
        var policy = RetryPolicy.storageWrite
        policy.maxAttempts = maxAttempts
        return policy
    }

    static func headers(_ result: AppendResult, _ publish: PublishRecord) -> [KafkaHeader] {
        [
            KafkaHeader(name: "seq", value: Array(String(result.seq).utf8)),
            KafkaHeader(name: "author", value: Array(publish.author_id.utf8)),
            KafkaHeader(name: "client-id", value: Array(publish.client_id.utf8)),
            KafkaHeader(name: "message-id", value: Array(result.id.uuidString.lowercased().utf8)),
            KafkaHeader(name: "duplicate", value: Array((result.duplicate ? "true" : "false").utf8)),
        ]
    }
}

import Foundation
import Logging
import NIOCore
import StreamLyOriginNative
import StreamLyStore
import Synchronization

/// Reads accepted publishes from `streamly.chat.publish` as a member of the
/// sequencer consumer group (Kafka spreads the partitions, hence the channels, over
/// the origins), commits each message to PostgreSQL with the next gapless seq, emits
/// the committed event to `streamly.chat.events`, and only then commits the Kafka
/// offset. A crash anywhere replays from the last committed offset; `client_id`
/// deduplication in `MessageStore.append` makes the replay harmless.
struct MessageSequencer: Sendable {
    let consumer: KafkaConsumer
    let producer: ChatProducer
    /// Where committed messages go (`ChatTopics.events`).
    let eventsTopic: String
    let messages: MessageStore
    let logger: Logger
    /// Most records handled per batch.
    static let batchLimit = 256

    /// Runs until the consumer closes. Records are taken in batches; within a batch,
    /// channels proceed concurrently and each channel strictly in order.
    func run() async {
        let buffer = Buffer()
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await record in consumer.records {
                        while buffer.records.withLock({ $0.count }) > 4 * Self.batchLimit { try await Task.sleep(for: .milliseconds(2)) }
                        buffer.records.withLock { $0.append(record) }
                        signal.yield()
                    }
                } catch {
                    logger.error("sequencer consumer failed", metadata: ["error": "\(error)"])
                }
                signal.finish()
            }
            group.addTask {
                for await _ in signals {
                    while true {
                        let batch = buffer.records.withLock { records -> [KafkaRecord] in
                            let batch = Array(records.prefix(Self.batchLimit))
                            records.removeFirst(batch.count)
                            return batch
                        }
                        guard !batch.isEmpty else { break }
                        await process(batch)
                    }
                }
            }
        }
    }

    /// Records read ahead of processing.
    private final class Buffer: Sendable {
        let records = Mutex<[KafkaRecord]>([])
    }

    private func process(_ batch: [KafkaRecord]) async {
        var byChannel: [String: [KafkaRecord]] = [:]
        for record in batch { byChannel[String(decoding: record.key ?? [], as: UTF8.self), default: []].append(record) }
        await withTaskGroup(of: Void.self) { group in
            for records in byChannel.values {
                group.addTask { for record in records { await handle(record) } }
            }
        }
        var last: [Int32: KafkaRecord] = [:]
        for record in batch where (last[record.partition]?.offset ?? -1) < record.offset { last[record.partition] = record }
        for record in last.values {
            do { try await consumer.commit(record) } catch {
                logger.warning("sequencer commit failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Appends one message (retrying while PostgreSQL or Kafka is unavailable) and emits its event.
    private func handle(_ record: KafkaRecord) async {
        guard let publish = try? JSONDecoder().decode(PublishRecord.self, from: Data(record.value)),
              let channel = UUID(uuidString: publish.channel), let author = UUID(uuidString: publish.author_id)
        else {
            logger.error("sequencer: skipping malformed record", metadata: ["offset": "\(record.offset)"])
            return
        }
        var delay = Duration.milliseconds(50)
        while !Task.isCancelled {
            do {
                let result = try await messages.append(
                    channelID: channel, authorID: author, clientID: publish.client_id, body: publish.body)
                let event = MessageEvent.encode(
                    channel: channel, seq: result.seq, id: result.id, clientID: publish.client_id, authorID: author,
                    body: publish.body, createdAt: result.createdAt, attachments: [])
                try await producer.send(
                    topic: eventsTopic, key: record.key, value: Array(event.readableBytesView),
                    headers: [
                        KafkaHeader(name: "seq", value: Array(String(result.seq).utf8)),
                        KafkaHeader(name: "author", value: Array(publish.author_id.utf8)),
                        KafkaHeader(name: "client-id", value: Array(publish.client_id.utf8)),
                        KafkaHeader(name: "message-id", value: Array(result.id.uuidString.lowercased().utf8)),
                        KafkaHeader(name: "duplicate", value: Array((result.duplicate ? "true" : "false").utf8)),
                    ])
                return
            } catch let error as StoreError where error.code == .invalidInput || error.code == .notFound {
                logger.error("sequencer: rejecting record", metadata: ["offset": "\(record.offset)", "error": "\(error)"])
                return
            } catch {
                logger.warning("sequencer: retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}

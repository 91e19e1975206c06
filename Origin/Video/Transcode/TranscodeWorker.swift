import Foundation
import Logging
import StreamLyOriginNative

/// One transcode worker: a member of the deployment's worker group on `<ns>.vod.jobs`. It runs
/// its jobs one at a time and commits a job's offset only once the job ended (`ready` or
/// `failed`), so a worker killed mid-job loses nothing: the partition's next owner redoes it.
struct TranscodeWorker: Sendable {
    let consumer: KafkaConsumer
    let runner: TranscodeJobRunner
    let logger: Logger

    func run() async {
        do {
            for try await record in consumer.records {
                guard let job = try? JSONDecoder().decode(TranscodeJobRecord.self, from: Data(record.value)),
                      let id = UUID(uuidString: job.video_id) else {
                    logger.warning("transcode: malformed job skipped", metadata: ["offset": "\(record.offset)"])
                    try? await consumer.commit(record)
                    continue
                }
                logger.info("transcode job", metadata: ["video": "\(id)", "partition": "\(record.partition)",
                                                        "offset": "\(record.offset)"])
                var outcome = await runner.run(id)
                while outcome == .interrupted, !Task.isCancelled {
                    // Not cancelled, so PostgreSQL was unreachable: try the same job again.
                    try? await runner.clock.sleep(for: .seconds(2))
                    outcome = await runner.run(id)
                }
                guard outcome != .interrupted else { break }
                do { try await consumer.commit(record) } catch {
                    // The partition moved (rebalance): its new owner sees the job again and skips
                    // it, as the video is no longer queued or transcoding.
                    logger.notice("transcode: commit failed", metadata: ["video": "\(id)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("transcode consumer failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Kafka topics and groups of video on demand (Origin/README.md), under the deployment's
/// namespace (`kafka.namespace`).
struct VODTopics: Sendable {
    /// Transcode jobs, keyed by video id; the workers' shared group spreads its partitions.
    let jobs: String
    /// Video state changes (upload and transcode progress, status), keyed by video id: every
    /// origin reads all of them (its own group) and pushes them to its edges.
    let events: String
    /// The consumer group every transcode worker of the deployment joins.
    let workerGroup: String
    /// Prefix of each origin's own group on `events`.
    let fanoutGroupPrefix: String

    init(namespace: String) {
        jobs = "\(namespace).vod.jobs"
        events = "\(namespace).vod.events"
        workerGroup = "\(namespace)-vod-transcoders"
        fanoutGroupPrefix = "\(namespace)-vod-fanout"
    }
}

/// A transcode job as it travels through `<ns>.vod.jobs`.
struct TranscodeJobRecord: Codable, Sendable {
    var video_id: String
}

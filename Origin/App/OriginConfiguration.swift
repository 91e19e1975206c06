import StreamLyLink
import StreamLyProtocol
import StreamLyConfig
import StreamLyTranscode
import StreamLyListeners

/// Everything an origin needs at start-up, built once from file + environment
/// (see `docs/configuration.md`).
public struct OriginConfiguration: Sendable {
    public var nodeID: String
    /// Inter-tier listener (default 127.0.0.1:7000).
    public var linkHost: String
    public var linkPort: Int
    /// Operator HTTP: /healthz, /readyz, /metrics (default 127.0.0.1:9091).
    public var operatorHost: String
    public var operatorPort: Int
    public var clusterSecret: String
    public var linkTLS: LinkTLSConfiguration?
    /// Flow control, frame size and heartbeat announced to edges.
    public var linkSettings: LinkSettings
    /// Caps on the link listener's connections (`link.connections.max`, `link.connections.per.ip`).
    public var linkConnections = ConnectionLimits(maxConnections: 1_024, maxConnectionsPerAddress: 64)
    /// PostgreSQL (`postgres.url`).
    public var postgresURL: String
    /// Kafka bootstrap servers (`kafka.brokers`) and extra librdkafka properties for consumers.
    public var kafkaBrokers: String
    public var kafkaSessionTimeoutMilliseconds: Int
    /// How long the producer keeps trying to write a record (`kafka.message.timeout.ms`)
    /// before the send fails; publishes answer 503 then and the client retries.
    public var kafkaMessageTimeoutMilliseconds: Int
    /// Longest time the broker may hold a consumer's fetch when it has nothing new
    /// (`kafka.fetch.wait.max.ms`). Kafka answers as soon as data arrives; Tansu in memory
    /// only when it expires (then it bounds each hop's latency), and Tansu on S3 answers
    /// empty when listing its storage takes longer than it (so it must not be small there).
    public var kafkaFetchWaitMilliseconds: Int
    /// Prefix of the deployment's Kafka topics and consumer groups (`kafka.namespace`):
    /// deployments (or test runs) sharing a broker need different ones.
    public var kafkaNamespace: String
    /// How the topics are created at start-up (`kafka.topic.*`).
    public var kafkaTopics = KafkaTopicSettings()
    /// Password hashing and per-account rates (`auth.hash.*`, `auth.account.*`).
    public var accounts = AccountSettings()
    /// Per-user quotas and the sweep of abandoned uploads (`quota.*`, `sweep.*`).
    public var quotas = QuotaSettings()
    /// Which consumer group the chat sequencer joins (`chat.sequencer.group`).
    public var sequencerGroup = ChatSequencerGroup.shared
    /// Appends of one chat record before the sequencer gives it up (`chat.sequencer.max.attempts`).
    public var sequencerMaxAttempts = MessageSequencer.defaultMaxAttempts
    /// HMAC key for access tokens (`auth.jwt.secret`), shared with the edges; ≥ 32 bytes.
    public var jwtSecret: String
    /// Object storage for media and attachments (`storage.backend`, `storage.local.dir`, `s3.*`).
    public var storage: StorageConfiguration
    /// Chat attachment limits (`attachments.*`).
    public var attachments: AttachmentSettings
    /// Transcode workers on this origin (`transcode.*`).
    public var transcode: TranscodeSettings
    /// Video uploads (`vod.upload.*`).
    public var upload: UploadConfiguration
    /// HMAC key of HLS playback tokens (`auth.playback.secret`), shared with the edges; ≥ 32 bytes.
    public var playbackSecret: String
    /// How long a publish waits for its commit before answering 503 (the client retries).
    public var publishTimeout: Duration
    /// How long open streams may run after GOAWAY on shutdown.
    public var drainTimeout: Duration
    public var logLevel: String
    /// What the node logs at start about running in development mode (`init(_:development:)`).
    public var startupWarnings: [String] = []

    public init(nodeID: String = NodeIdentity.defaultNodeID(prefix: "origin"), linkHost: String = "127.0.0.1",
                linkPort: Int = 7000, operatorHost: String = "127.0.0.1", operatorPort: Int = 9091,
                clusterSecret: String = NodeIdentity.developmentSecret, linkTLS: LinkTLSConfiguration? = nil,
                linkSettings: LinkSettings = LinkSettings(),
                postgresURL: String = "postgres://streamly:streamly@127.0.0.1:15432/streamly",
                kafkaBrokers: String = "127.0.0.1:19092", kafkaSessionTimeoutMilliseconds: Int = 6_000,
                kafkaMessageTimeoutMilliseconds: Int = 10_000, kafkaFetchWaitMilliseconds: Int = 100,
                kafkaNamespace: String = "streamly",
                jwtSecret: String = NodeIdentity.developmentJWTSecret,
                storage: StorageConfiguration = .local(directory: StorageConfiguration.defaultLocalDirectory),
                transcode: TranscodeSettings = TranscodeSettings(), attachments: AttachmentSettings = AttachmentSettings(),
                upload: UploadConfiguration = UploadConfiguration(),
                playbackSecret: String = NodeIdentity.developmentPlaybackSecret, publishTimeout: Duration = .seconds(10),
                drainTimeout: Duration = .seconds(10), logLevel: String = "info") {
        self.nodeID = nodeID
        self.linkHost = linkHost
        self.linkPort = linkPort
        self.operatorHost = operatorHost
        self.operatorPort = operatorPort
        self.clusterSecret = clusterSecret
        self.linkTLS = linkTLS
        self.linkSettings = linkSettings
        self.postgresURL = postgresURL
        self.kafkaBrokers = kafkaBrokers
        self.kafkaSessionTimeoutMilliseconds = kafkaSessionTimeoutMilliseconds
        self.kafkaMessageTimeoutMilliseconds = kafkaMessageTimeoutMilliseconds
        self.kafkaFetchWaitMilliseconds = kafkaFetchWaitMilliseconds
        self.kafkaNamespace = kafkaNamespace
        self.jwtSecret = jwtSecret
        self.storage = storage
        self.transcode = transcode
        self.attachments = attachments
        self.upload = upload
        self.playbackSecret = playbackSecret
        self.publishTimeout = publishTimeout
        self.drainTimeout = drainTimeout
        self.logLevel = logLevel
    }

    /// The configuration from `values`; outside `development` (`--dev`) it refuses the
    /// built-in secrets and a link listener without TLS on an address that is not loopback.
    public init(_ values: ConfigValues, development: Bool = false) throws {
        let defaults = OriginConfiguration()
        self.init(
            nodeID: values.string("node.id", default: defaults.nodeID),
            linkHost: values.string("link.host", default: defaults.linkHost),
            linkPort: try values.int("link.port", default: defaults.linkPort, range: 0...65_535),
            operatorHost: values.string("operator.host", default: defaults.operatorHost),
            operatorPort: try values.int("operator.port", default: defaults.operatorPort, range: 0...65_535),
            clusterSecret: values.optionalString("cluster.secret") ?? defaults.clusterSecret,
            linkTLS: try values.linkTLS(),
            linkSettings: try values.linkSettings(),
            postgresURL: values.string("postgres.url", default: defaults.postgresURL),
            kafkaBrokers: values.string("kafka.brokers", default: defaults.kafkaBrokers),
            kafkaSessionTimeoutMilliseconds: try values.int("kafka.session.timeout.ms", default: 6_000, range: 1_000...300_000),
            kafkaMessageTimeoutMilliseconds: try values.int("kafka.message.timeout.ms", default: 10_000,
                                                            range: 1_000...300_000),
            kafkaFetchWaitMilliseconds: try values.int("kafka.fetch.wait.max.ms", default: 100, range: 0...1_000),
            kafkaNamespace: try Self.namespace(values.optionalString("kafka.namespace") ?? defaults.kafkaNamespace),
            jwtSecret: values.optionalString("auth.jwt.secret") ?? defaults.jwtSecret,
            storage: try StorageConfiguration(values),
            transcode: try Self.transcodeSettings(values),
            attachments: try Self.attachmentSettings(values),
            upload: try UploadConfiguration(values),
            playbackSecret: values.optionalString("auth.playback.secret") ?? defaults.playbackSecret,
            publishTimeout: .milliseconds(try values.int("chat.publish.timeout.ms", default: 10_000, range: 100...120_000)),
            drainTimeout: .seconds(try values.int("drain.timeout", default: 10, range: 0...3_600)),
            logLevel: values.string("log.level", default: defaults.logLevel)
        )
        kafkaTopics = try KafkaTopicSettings(values)
        accounts = try AccountSettings(values)
        quotas = try QuotaSettings(values)
        linkConnections = try values.connectionLimits("link.connections", default: defaults.linkConnections)
        let group = values.string("chat.sequencer.group", default: ChatSequencerGroup.shared.rawValue)
        guard let sequencerGroup = ChatSequencerGroup(rawValue: group) else {
            throw ConfigurationError("configuration chat.sequencer.group=\(group) must be shared or per-origin")
        }
        self.sequencerGroup = sequencerGroup
        sequencerMaxAttempts = try values.int("chat.sequencer.max.attempts", default: MessageSequencer.defaultMaxAttempts,
                                              range: 1...100_000)
        startupWarnings = try DeploymentSafety.check(
            clusterSecret: clusterSecret, jwtSecret: jwtSecret, playbackSecret: playbackSecret,
            linkHosts: [linkHost], linkTLS: linkTLS != nil, values: values, development: development)
    }

    static func attachmentSettings(_ values: ConfigValues) throws -> AttachmentSettings {
        var settings = AttachmentSettings()
        settings.maxBytes = Int64(try values.int("attachments.max.bytes", default: Int(settings.maxBytes), range: 1...(5 << 40)))
        settings.uploadExpiry = try values.int("attachments.upload.expiry", default: settings.uploadExpiry, range: 1...604_800)
        settings.downloadExpiry = try values.int("attachments.download.expiry", default: settings.downloadExpiry, range: 1...604_800)
        return settings
    }

    static func transcodeSettings(_ values: ConfigValues) throws -> TranscodeSettings {
        var settings = TranscodeSettings()
        settings.workers = try values.int("transcode.workers", default: settings.workers, range: 0...64)
        settings.maxAttempts = try values.int("transcode.max.attempts", default: settings.maxAttempts, range: 1...100)
        settings.retryBase = .milliseconds(try values.int("transcode.retry.base.ms", default: 2_000, range: 0...600_000))
        settings.preset = values.string("transcode.preset", default: settings.preset)
        settings.leaseSeconds = Double(try values.int("transcode.lease.seconds", default: Int(settings.leaseSeconds), range: 2...3_600))
        settings.workDirectory = values.string("transcode.work.dir", default: settings.workDirectory)
        settings.timeout = .seconds(try values.int("transcode.timeout.seconds", default: 14_400, range: 10...604_800))
        let maxMemory = try values.int("transcode.worker.max.memory", default: settings.workerMaxMemory ?? 0, range: 0...(1 << 40))
        guard maxMemory == 0 || maxMemory >= 64 << 20 else {
            throw ConfigurationError("configuration transcode.worker.max.memory=\(maxMemory) must be 0 (no limit) or at least 67108864 (64 MiB)")
        }
        settings.workerMaxMemory = maxMemory == 0 ? nil : maxMemory
        var limits = settings.limits
        limits.maxWidth = try values.int("transcode.max.width", default: limits.maxWidth, range: 16...16_384)
        limits.maxHeight = try values.int("transcode.max.height", default: limits.maxHeight, range: 16...16_384)
        limits.maxDurationSeconds = Double(try values.int("transcode.max.duration.seconds",
                                                          default: Int(limits.maxDurationSeconds), range: 1...604_800))
        limits.maxFrameRate = Double(try values.int("transcode.max.fps", default: Int(limits.maxFrameRate), range: 1...1_000))
        limits.maxPixelsPerSecond = Double(try values.int("transcode.max.pixels.per.second",
                                                          default: Int(limits.maxPixelsPerSecond), range: 1...1_000_000_000_000))
        limits.maxTimestampGapSeconds = Double(try values.int("transcode.max.timestamp.gap.seconds",
                                                              default: Int(limits.maxTimestampGapSeconds), range: 1...604_800))
        do { try limits.validate() } catch {
            throw ConfigurationError("configuration transcode.max.*: \(error)")
        }
        settings.limits = limits
        let formats = values.list("transcode.input.formats", default: TranscodeConfiguration.videoContainers.sorted())
        guard !formats.isEmpty else {
            throw ConfigurationError("configuration transcode.input.formats must name at least one demuxer")
        }
        settings.inputFormats = Set(formats)
        return settings
    }

    /// A namespace must make valid topic and group names: 1–64 of `a-z 0-9 . _ -`.
    static func namespace(_ value: String) throws -> String {
        let allowed = value.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, (1...64).contains(value.utf8.count) else {
            throw ConfigurationError("configuration kafka.namespace=\(value) must be 1-64 characters of a-z, 0-9, '.', '_', '-'")
        }
        return value
    }
}

import StreamLyTranscode

/// What the origin hands a transcode worker process (`streamly-origin transcode-worker --job
/// FILE`): a JSON file in the job's scratch directory. Secrets never go in it (the worker
/// needs none, and gets no `STREAMLY_*` variable either).
struct TranscodeWorkerJob: Codable, Sendable {
    /// The downloaded source.
    var input: String
    /// Where the ladder is written.
    var output: String
    /// Ladder, codec, packaging settings and input limits.
    var configuration: TranscodeConfiguration
    /// The origin's pid: the worker exits when its parent is gone.
    var parentPID: Int32
    /// libav* log level of the worker (`FFmpeg.LogLevel` raw value).
    var ffmpegLogLevel: Int32
    /// Address space the worker may add to its start-up footprint (`transcode.worker.max.memory`):
    /// before it opens the input it caps itself (`RLIMIT_AS`) at its size then plus this; nil: none.
    var maxMemoryBytes: Int?
}

/// One line the worker writes on its standard output (a JSON object per line): its
/// address-space limit if it has one (`{"address_space_limit":1234}`), progress
/// (`{"progress":0.42}`), then exactly one of the result or the error as its last line.
struct TranscodeWorkerMessage: Codable, Sendable {
    struct Failure: Codable, Sendable, Equatable {
        /// `OriginNativeError.Code.name`, e.g. `invalid-media`.
        var code: String
        var message: String
    }

    var progress: Double?
    var result: TranscodeResult?
    var error: Failure?
    /// The worker's `RLIMIT_AS` in bytes, as it set it.
    var addressSpaceLimit: Int?

    enum CodingKeys: String, CodingKey {
        case progress, result, error
        case addressSpaceLimit = "address_space_limit"
    }

    static func progress(_ value: Double) -> TranscodeWorkerMessage { .init(progress: value) }
    static func result(_ value: TranscodeResult) -> TranscodeWorkerMessage { .init(result: value) }
    static func addressSpaceLimit(_ bytes: Int) -> TranscodeWorkerMessage { .init(addressSpaceLimit: bytes) }
    static func error(code: String, message: String) -> TranscodeWorkerMessage {
        .init(error: Failure(code: code, message: message))
    }
}

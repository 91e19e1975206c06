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
}

/// One line the worker writes on its standard output (a JSON object per line): progress
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

    static func progress(_ value: Double) -> TranscodeWorkerMessage { .init(progress: value) }
    static func result(_ value: TranscodeResult) -> TranscodeWorkerMessage { .init(result: value) }
    static func error(code: String, message: String) -> TranscodeWorkerMessage {
        .init(error: Failure(code: code, message: message))
    }
}

import ArgumentParser
import Logging
import StreamLyConfig
import StreamLyLink
import StreamLyOrigin

/// `streamly-origin`: the core tier. Configuration comes from `--config FILE`
/// (JSON) and `STREAMLY_*` environment variables (see docs/configuration.md).
/// Without a subcommand it serves (`serve`); `transcode-worker` is the hidden subcommand an
/// origin starts for each transcode job.
@main
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamly-origin", abstract: "Run a StreamLy origin.",
        subcommands: [Serve.self, TranscodeWorker.self], defaultSubcommand: Serve.self)
}

/// Runs the origin until SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run a StreamLy origin (the default).")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try OriginConfiguration(try options.values(), development: options.dev)
        var logger = Logger(label: "streamly.origin")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try await OriginService(configuration: configuration, logger: logger).run()
    }
}

/// One transcode job in a process of its own, started and supervised by an origin
/// (`TranscodeWorkerProcess`); not for people to run.
struct TranscodeWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcode-worker", abstract: "Run one transcode job for an origin.", shouldDisplay: false)

    @Option(name: .long, help: "The job file the origin wrote.")
    var job: String

    func run() async throws {
        let status = await TranscodeWorkerProcess.run(jobFile: job)
        if status != 0 { throw ExitCode(status) }
    }
}

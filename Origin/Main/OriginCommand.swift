import ArgumentParser
import Logging
import StreamLyLink
import StreamLyOrigin
import StreamLyConfig

/// `streamly-origin`: the core tier. Configuration comes from `--config FILE`
/// (JSON) and `STREAMLY_*` environment variables (see docs/configuration.md).
@main
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streamly-origin", abstract: "Run a StreamLy origin.")

    @Option(name: .long, help: "JSON configuration file.")
    var config: String?

    func run() async throws {
        let values = try ConfigValues.load(file: config)
        let configuration = try OriginConfiguration(values)
        var logger = Logger(label: "streamly.origin")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try await OriginService(configuration: configuration, logger: logger).run()
    }
}

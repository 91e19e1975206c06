import ArgumentParser
import Logging
import StreamLyConfig
import StreamLyLink
import StreamLyOrigin

/// `streamly-origin`: the core tier. Configuration comes from `--config FILE`
/// (JSON) and `STREAMLY_*` environment variables (see docs/configuration.md).
@main
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streamly-origin", abstract: "Run a StreamLy origin.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try OriginConfiguration(try options.values(), development: options.dev)
        var logger = Logger(label: "streamly.origin")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try await OriginService(configuration: configuration, logger: logger).run()
    }
}

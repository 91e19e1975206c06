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

    @Option(name: .long, help: "JSON configuration file.")
    var config: String?

    @Flag(name: .long, help: "Development mode: allow the built-in secrets and an unencrypted link off loopback (never in production).")
    var dev = false

    func run() async throws {
        let values = try ConfigValues.load(file: config)
        let configuration = try OriginConfiguration(values, development: dev)
        var logger = Logger(label: "streamly.origin")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try await OriginService(configuration: configuration, logger: logger).run()
    }
}

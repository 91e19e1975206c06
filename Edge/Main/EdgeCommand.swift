import ArgumentParser
import Logging
import StreamLyEdge
import StreamLyLink

/// `streamly-edge`: the tier users talk to. Configuration comes from `--config FILE`
/// (JSON) and `STREAMLY_*` environment variables (see docs/configuration.md).
@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streamly-edge", abstract: "Run a StreamLy edge.")

    @Option(name: .long, help: "JSON configuration file.")
    var config: String?

    func run() async throws {
        let values = try ConfigValues.load(file: config)
        let configuration = try EdgeConfiguration(values)
        var logger = Logger(label: "streamly.edge")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try await EdgeService(configuration: configuration, logger: logger).run()
    }
}

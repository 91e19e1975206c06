import ArgumentParser

/// The command-line options both `streamly-edge` and `streamly-origin` take.
public struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file.")
    public var config: String?

    @Flag(name: .long, help: "Development mode: allow the built-in secrets and an unencrypted link off loopback (never in production).")
    public var dev = false

    public init() {}

    /// The configuration values: the `--config` file overlaid by `STREAMLY_*` variables.
    public func values() throws -> ConfigValues {
        try ConfigValues.load(file: config)
    }
}

import ArgumentParser
import Logging
import StreamLyEdge
import StreamLyConfig
import StreamLyLink

#if canImport(Glibc)
import Glibc
#endif

/// `streamly-edge`: the tier users talk to. Configuration comes from `--config FILE`
/// (JSON) and `STREAMLY_*` environment variables (see docs/configuration.md).
@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "streamly-edge", abstract: "Run a StreamLy edge.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try EdgeConfiguration(try options.values(), development: options.dev)
        var logger = Logger(label: "streamly.edge")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        if let limit = Self.raiseOpenFileLimit() {
            logger.info("open-file limit", metadata: ["soft": "\(limit.soft)", "hard": "\(limit.hard)"])
        }
        try await EdgeService(configuration: configuration, logger: logger).run()
    }

    /// Every WebSocket client holds a file descriptor, and the usual default soft limit
    /// (1,024) would stop an edge at about a thousand clients. Like Go's runtime and nginx,
    /// raise the soft `RLIMIT_NOFILE` to the hard limit at start-up; this needs no privilege.
    /// Beyond the hard limit (`ulimit -Hn`, systemd `LimitNOFILE=`) nothing is raised: size
    /// it above the clients expected, because a Swift process on Linux that runs out of
    /// descriptors is killed by libdispatch (its worker-thread monitor cannot open `/proc`).
    /// Returns the limits in force, or nil where they cannot be read.
    static func raiseOpenFileLimit() -> (soft: UInt64, hard: UInt64)? {
        #if os(Linux)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
        #else
        return nil
        #endif
    }
}

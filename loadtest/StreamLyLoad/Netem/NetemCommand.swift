import ArgumentParser
import Foundation
import StreamLyNetem
#if canImport(Glibc)
import Glibc
#endif

/// `streamly-load netem --config FILE`: runs the userspace link emulator between the TUN
/// devices the file names (one per network namespace) until SIGTERM/SIGINT, printing its
/// counters every `--report` seconds. `infra/regions.sh` starts it for the regions world.
struct NetemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netem",
        abstract: "Emulate links (delay, jitter, loss, bandwidth) between TUN devices in network namespaces.",
        discussion: """
            The configuration is JSON: {"ports": [{"namespace", "device", "group", "addresses"}], \
            "links": [{"between": [g1, g2], "delay_ms", "jitter_ms", "loss", "rate_kbps", "queue_ms"}], \
            "intra": {…}, "default": {…}} (loadtest/README, infra/regions.sh). Needs root.
            """
    )

    @Option(help: "The emulator configuration (JSON).")
    var config: String

    @Option(help: "Seconds between counter reports (0: none).")
    var report: Int = 10

    func run() async throws {
        let configuration = try NetemConfiguration.load(config)
        let netem = try Netem(configuration: configuration)
        netem.start()
        print("netem: forwarding between \(configuration.ports.count) ports")
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let reporter = Task {
            guard report > 0 else { return }
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(report))
                let counts = netem.counts
                print("netem: forwarded \(counts.forwarded), lost \(counts.lost), queue full \(counts.queueFull), dropped \(counts.dropped)")
            }
        }
        for await _ in signals { break }
        reporter.cancel()
        netem.stop()
        print("netem: stopped")
    }
}

import ArgumentParser
import Foundation
import Logging
import StreamLyLink
import StreamLyProtocol
import StreamLyConfig

/// `streamly-load proto`: throughput and latency of the inter-tier protocol, each figure
/// printed beside the same measure without the protocol (memcpy or raw loopback TCP).
struct ProtoBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proto",
        abstract: "Benchmark the inter-tier protocol against memcpy and raw loopback TCP.",
        discussion: """
            Sections: codec (frame encode+decode vs memcpy), rtt (sys.echo round trips vs a raw \
            TCP echo), stream (sys.sink / sys.source bodies vs a raw TCP blast). The ratio column \
            is StreamLy ÷ baseline. Build with -c release for meaningful figures.
            """
    )

    /// Parts of the benchmark that `--only` can select.
    enum Section: String, CaseIterable, ExpressibleByArgument, Sendable {
        case codec, rtt, stream
    }

    @Option(help: "Measured seconds per case (codec sizes, round-trip cases).")
    var seconds: Double = 3

    @Option(help: "Warm-up seconds before each measured case.")
    var warmup: Double = 0.5

    @Option(help: "Body size of the sys.echo round trips.")
    var echoBytes: ByteCount = ByteCount(64)

    @Option(help: "Requests in flight for the concurrent round-trip case (tasks sharing one connection).")
    var inFlight: Int = 64

    @Option(help: "Bytes per streamed-body transfer (upload and download). 4 GiB: a 1 GiB transfer lasts under half a second here, where start-up weighs.")
    var streamBytes: ByteCount = .gibibytes(4)

    @Option(help: "Size of each body write in the upload.")
    var chunkBytes: ByteCount = .kibibytes(256)

    @Option(help: "Measure the link against a running streamly-origin at host:port instead of an in-process server.")
    var origin: String?

    @Option(help: "Cluster secret of the link peer.")
    var secret: String = NodeIdentity.developmentSecret

    @Option(help: "Run only this section (repeatable).")
    var only: [Section] = []

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be > 0 and --warmup >= 0") }
        guard inFlight >= 1 else { throw ValidationError("--in-flight must be at least 1") }
        guard echoBytes.bytes >= 1, chunkBytes.bytes >= 1, streamBytes.bytes >= 1 else {
            throw ValidationError("byte counts must be at least 1")
        }
    }

    func run() async throws {
        var logger = Logger(label: "streamly.load")
        logger.logLevel = .warning
        let sections = only.isEmpty ? Section.allCases : only
        let loadAtStart = Self.loadAverage()
        var rows: [BenchmarkRow] = []
        var threads: [String] = []
        if sections.contains(.codec) { rows += try codecRows() }
        if sections.contains(.rtt) || sections.contains(.stream) {
            let target = try await LinkTarget.start(origin: origin, secret: secret, logger: logger)
            do {
                if sections.contains(.rtt) {
                    let (rtt, busy) = try await roundTripRows(target)
                    rows += rtt
                    threads += busy
                }
                if sections.contains(.stream) {
                    let (stream, busy) = try await streamRows(target)
                    rows += stream
                    threads += busy
                }
            } catch {
                await target.stop()
                throw error
            }
            await target.stop()
        }
        var machine = Self.machine(target: origin)
        machine["loadAverageAtStart"] = loadAtStart
        if json {
            print(try ResultTable.json(rows, machine: machine))
        } else {
            print("streamly-load proto · \(machine["date"]!) · \(machine["cores"]!) cores · \(machine["build"]!) build"
                  + " · link peer \(machine["link"]!) · 1-min load average at start \(loadAtStart)")
            print("")
            print(ResultTable.render(rows, notes: notes(sections, threads: threads)))
        }
    }

    // MARK: - Sections

    private func codecRows() throws -> [BenchmarkRow] {
        let codec = CodecBenchmark(seconds: seconds, warmup: warmup)
        var rows: [BenchmarkRow] = []
        let cases: [(CodecBenchmark.Kind, Int)] = [(.data, 64), (.data, 1_024), (.data, 65_536), (.request, 64)]
        for (kind, size) in cases {
            let label = "\(kind.rawValue) \(ByteCount(size))"
            progress("codec \(label)")
            let (link, copy) = try codec.compare(kind, bodySize: size)
            rows.append(BenchmarkRow(section: "Codec (encode+decode, one thread)", measure: "\(label) messages",
                                     unit: "msg/s", streamly: link.messagesPerSecond, baseline: copy.messagesPerSecond))
            rows.append(BenchmarkRow(section: "Codec (encode+decode, one thread)", measure: "\(label) body bytes",
                                     unit: "GB/s", streamly: link.bytesPerSecond / 1e9, baseline: copy.bytesPerSecond / 1e9))
        }
        return rows
    }

    private func roundTripRows(_ target: LinkTarget) async throws -> (rows: [BenchmarkRow], threads: [String]) {
        let section = "Round trips (loopback TCP)"
        var rows: [BenchmarkRow] = []
        var threads: [String] = []
        try await withLink(target, raw: [.echo]) { connection, raw in
            for count in Set([1, inFlight]).sorted() {
                progress("raw echo \(echoBytes), \(count) pipelined")
                var before = ThreadCPU.sample()
                let base = try await RawTCPClient.roundTrips(
                    port: raw[0].port, messageSize: echoBytes.bytes, inFlight: count,
                    window: MeasurementWindow(warmup: warmup, seconds: seconds))
                threads.append("raw echo, \(count) in flight: " + ThreadCPU.describe(ThreadCPU.sample().busy(since: before)))
                for callers in LinkWorkload.Callers.allCases {
                    let label = "sys.echo \(echoBytes), \(count) in flight, \(callers.rawValue)"
                    progress(label)
                    before = ThreadCPU.sample()
                    let link = try await LinkWorkload.roundTrips(
                        connection, bodySize: echoBytes.bytes, inFlight: count, callers: callers,
                        window: MeasurementWindow(warmup: warmup, seconds: seconds))
                    threads.append("sys.echo, \(count) in flight, \(callers.rawValue): "
                                   + ThreadCPU.describe(ThreadCPU.sample().busy(since: before)))
                    rows.append(BenchmarkRow(section: section, measure: "\(label): p50", unit: "µs",
                                             streamly: link.p50, baseline: base.p50))
                    rows.append(BenchmarkRow(section: section, measure: "\(label): p99", unit: "µs",
                                             streamly: link.p99, baseline: base.p99))
                    rows.append(BenchmarkRow(section: section, measure: "\(label): requests", unit: "req/s",
                                             streamly: link.requestsPerSecond, baseline: base.requestsPerSecond))
                }
            }
        }
        return (rows, threads)
    }

    /// Transfers of each kind; the fastest counts.
    static let streamRounds = 3

    private func streamRows(_ target: LinkTarget) async throws -> (rows: [BenchmarkRow], threads: [String]) {
        let total = streamBytes.bytes, chunk = chunkBytes.bytes
        let warmupBytes = min(total, 64 << 20)
        let section = "Streamed bodies (one stream, loopback TCP)"
        var threads: [String] = []
        // Three rounds alternate link and raw TCP; the fastest transfer of each counts (one
        // transfer is under a second, and single runs moved by 2× with the machine's state).
        var elapsed: (linkUp: Double, rawUp: Double, linkDown: Double, rawDown: Double) = (.infinity, .infinity, .infinity, .infinity)
        try await withLink(target, raw: [.sink, .source]) { connection, raw in
            _ = try await LinkWorkload.upload(connection, total: warmupBytes, chunkSize: chunk)
            _ = try await RawTCPClient.upload(port: raw[0].port, total: warmupBytes, chunkSize: chunk)
            _ = try await LinkWorkload.download(connection, total: warmupBytes)
            _ = try await RawTCPClient.download(port: raw[1].port, total: warmupBytes)
            // The threads' CPU during each kind's fastest transfer, for the notes.
            var busiest: [String: (seconds: Double, threads: String)] = [:]
            func timed(_ kind: String, _ transfer: () async throws -> Double) async throws -> Double {
                let before = ThreadCPU.sample()
                let seconds = try await transfer()
                if seconds < busiest[kind]?.seconds ?? .infinity {
                    busiest[kind] = (seconds, ThreadCPU.describe(ThreadCPU.sample().busy(since: before)))
                }
                return seconds
            }
            for round in 1...Self.streamRounds {
                progress("round \(round)/\(Self.streamRounds): sys.sink \(streamBytes) in \(chunkBytes) writes, raw upload, sys.source, raw download")
                elapsed.linkUp = min(elapsed.linkUp, try await timed("link upload") {
                    try await LinkWorkload.upload(connection, total: total, chunkSize: chunk)
                })
                elapsed.rawUp = min(elapsed.rawUp, try await timed("raw upload") {
                    try await RawTCPClient.upload(port: raw[0].port, total: total, chunkSize: chunk)
                })
                elapsed.linkDown = min(elapsed.linkDown, try await timed("link download") {
                    try await LinkWorkload.download(connection, total: total)
                })
                elapsed.rawDown = min(elapsed.rawDown, try await timed("raw download") {
                    try await RawTCPClient.download(port: raw[1].port, total: total)
                })
            }
            for kind in ["link upload", "raw upload", "link download", "raw download"] {
                threads.append("\(kind), fastest transfer: " + (busiest[kind]?.threads ?? "-"))
            }
        }
        let gigabytes = Double(total) / 1e9
        return ([
            BenchmarkRow(section: section, measure: "upload, sys.sink \(streamBytes)", unit: "GB/s",
                         streamly: gigabytes / elapsed.linkUp, baseline: gigabytes / elapsed.rawUp),
            BenchmarkRow(section: section, measure: "download, sys.source \(streamBytes)", unit: "GB/s",
                         streamly: gigabytes / elapsed.linkDown, baseline: gigabytes / elapsed.rawDown),
        ], threads)
    }

    /// Runs `body` with a fresh link connection and the raw servers it compares against,
    /// closing them all afterwards, also on error.
    private func withLink(
        _ target: LinkTarget, raw modes: [RawTCPServer.Mode],
        _ body: (LinkConnection, [RawTCPServer]) async throws -> Void
    ) async throws {
        let connection = try await target.connect()
        var servers: [RawTCPServer] = []
        do {
            for mode in modes { servers.append(try await RawTCPServer.start(mode)) }
            try await body(connection, servers)
        } catch {
            for server in servers { await server.stop() }
            await connection.close()
            throw error
        }
        for server in servers { await server.stop() }
        await connection.close()
    }

    // MARK: - Output

    private func notes(_ sections: [Section], threads: [String]) -> [String] {
        var notes = ["ratio = StreamLy ÷ baseline (rates: below 1 is slower; latencies: above 1 is slower). GB = 10^9 bytes."]
        if sections.contains(.codec) {
            notes.append("codec: LinkFrame.encode(into:) into a reused ByteBuffer + LinkFrameParser.nextFrame; REQUEST carries method sys.echo and one metadata field. Baseline (in the raw TCP column): memcpy of the body into a ByteBuffer + readSlice, no protocol.")
        }
        if sections.contains(.rtt) {
            notes.append("rtt: LinkConnection.request(\"sys.echo\") with a \(echoBytes) body, response body read to the end; N in flight = N tasks sharing one connection (N concurrent streams), either on the cooperative pool (task callers) or isolated to the connection's event loop (loop callers, as an actor on the loop would call); future callers: N chains of LinkConnection.submit on the connection's event loop, each sending its next request from the previous one's callback (as a NIO handler calls: no Swift task). The server answers sys.* on its event loop (LinkDiagnostics.loopHandler). Baseline: raw NIO echo server, one TCP connection with N \(echoBytes) messages pipelined, client driven from its event loop.")
        }
        if sections.contains(.stream) {
            notes.append("stream: best of \(Self.streamRounds) rounds alternating link and raw TCP, each transfer one request; upload = streamingRequest(\"sys.sink\") in \(chunkBytes) writes until the byte count comes back; download = sys.source (64 KiB writes) read to the end. Baseline: raw NIO TCP, the same bytes written as fast as the socket takes them (\(chunkBytes) writes up, 64 KiB down), one connection.")
        }
        if let origin {
            notes.append("link peer: streamly-origin at \(origin); the raw TCP baseline always runs in this process over 127.0.0.1.")
        } else {
            notes.append("link peer: in-process LinkServer on 127.0.0.1 (cluster-secret auth, default settings); client and server share the process's event loops.")
        }
        if !threads.isEmpty {
            notes.append("CPU per thread while each case ran (cores; threads of one name summed: the cooperative pool's workers; a thread at 0.9 or more is saturated and bounds the case; with none, the case waits on hand-offs between threads):")
            notes += threads.map { "  \($0)" }
        }
        return notes
    }

    static func machine(target: String?) -> [String: String] {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return [
            "date": formatter.string(from: Date()),
            "cores": String(ProcessInfo.processInfo.activeProcessorCount),
            "memory": "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB",
            "build": build,
            "link": target ?? "in-process",
        ]
    }

    /// The 1-minute load average: other work on the machine skews every figure.
    static func loadAverage() -> String {
        var load = [0.0, 0.0, 0.0]
        guard getloadavg(&load, 3) > 0 else { return "unknown" }
        return String(format: "%.2f", load[0])
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("· \(text)\n".utf8))
    }
}

import ArgumentParser
import Foundation
import NIOCore
import StreamLyProcess
import StreamLyStorage
import StreamLyTokens

/// `streamly-load hls`: HLS segment delivery from a warm edge cache against nginx serving the
/// same files with the same certificate, in one run: h2load over HTTP/2+TLS and wrk over
/// HTTP/1.1+TLS, requests/s and MB/s side by side (target: edge ≥ 0.8 × nginx).
///
/// Starts its own origin (local object store in a temporary directory; PostgreSQL, Kafka and
/// Redis from `STREAMLY_*`, i.e. `. .state/<profile>/env.sh`), edge and nginx.
struct HLSBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hls", abstract: "HLS segments from a warm edge cache vs nginx (h2load h2, wrk http/1.1).")

    @Option(help: "Directory holding streamly-edge and streamly-origin (default: next to this binary).")
    var binDir: String?
    @Option(help: "Segment files to serve.") var segments = 20
    @Option(help: "Bytes per segment.") var segmentBytes = 512 * 1_024
    @Option(help: "h2load: total requests.") var requests = 20_000
    @Option(help: "Concurrent connections (h2load -c, wrk -c).") var connections = 32
    @Option(help: "h2load: concurrent streams per connection (-m).") var streams = 8
    @Option(help: "Client threads (h2load -t, wrk -t).") var threads = 1
    @Option(help: "wrk: seconds per run.") var seconds = 8
    @Option(help: "nginx worker processes.") var nginxWorkers = 1
    @Option(help: "Label printed with the figures, e.g. 'debug build'.") var label = ""

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let bin = binDir ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-hls-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let store = work.appendingPathComponent("store").path
        let video = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let secret = "hls-benchmark-playback-secret-0123456789abcdef"
        let token = try PlaybackTokenCodec(key: Array(secret.utf8)).sign(videoID: video, lifetime: 3_600)
        print("writing \(segments) segments of \(segmentBytes) bytes into \(store)")
        let objects = try LocalObjectStore(root: store)
        for index in 0..<segments {
            var bytes = ByteBuffer()
            bytes.writeRepeatingByte(UInt8(truncatingIfNeeded: index &+ 1), count: segmentBytes)
            try await objects.putObject(key: "vod/\(video)/bench/seg_\(Self.pad(index)).m4s", bytes: bytes)
        }
        chmodTree(work.path)

        let (linkPort, operatorPort, httpPort, httpsPort, nginxPort) =
            (try BenchTool.freePort(), try BenchTool.freePort(), try BenchTool.freePort(), try BenchTool.freePort(), try BenchTool.freePort())
        let edgeOperatorPort = try BenchTool.freePort()
        var base = environment.filter { !$0.key.hasPrefix("STREAMLY_") }
        for key in ["STREAMLY_POSTGRES_URL", "STREAMLY_KAFKA_BROKERS", "STREAMLY_REDIS_URL"] {
            guard let value = environment[key] else { throw ValidationError("\(key) is not set: source .state/<profile>/env.sh") }
            base[key] = value
        }
        base["STREAMLY_CLUSTER_SECRET"] = "hls-benchmark-cluster-secret-0123456789abcdef"
        base["STREAMLY_AUTH_PLAYBACK_SECRET"] = secret
        base["STREAMLY_AUTH_JWT_SECRET"] = "hls-benchmark-access-token-key-0123456789abcdef"
        base["STREAMLY_LOG_LEVEL"] = "warning"
        var daemons: [ChildProcess] = []
        do {
            var originEnv = base
            originEnv.merge(["STREAMLY_LINK_PORT": "\(linkPort)", "STREAMLY_OPERATOR_PORT": "\(operatorPort)",
                             "STREAMLY_KAFKA_NAMESPACE": "hls-bench-\(video)", "STREAMLY_STORAGE_LOCAL_DIR": store,
                             "STREAMLY_NODE_ID": "hls-bench-origin"]) { $1 }
            daemons.append(try BenchTool.daemon("origin", executable: bin + "/streamly-origin", environment: originEnv, logDirectory: work))
            var edgeEnv = base
            edgeEnv.merge(["STREAMLY_ORIGINS": "127.0.0.1:\(linkPort)", "STREAMLY_HTTP_PORT": "\(httpPort)",
                           "STREAMLY_HTTPS_PORT": "\(httpsPort)", "STREAMLY_OPERATOR_PORT": "\(edgeOperatorPort)", "STREAMLY_RTC_ENABLED": "false", "STREAMLY_HTTPS_STATE_DIR": work.path + "/tls",
                           "STREAMLY_VOD_CACHE_DIR": work.path + "/cache", "STREAMLY_NODE_ID": "hls-bench-edge"]) { $1 }
            daemons.append(try BenchTool.daemon("edge", executable: bin + "/streamly-edge", environment: edgeEnv, logDirectory: work))
            try await waitReady("http://127.0.0.1:\(operatorPort)/readyz", daemons)
            try await waitReady("http://127.0.0.1:\(edgeOperatorPort)/readyz", daemons)
            let nginx = try startNginx(work: work, port: nginxPort, root: store + "/objects")
            daemons.append(nginx)
            try await waitReady("https://127.0.0.1:\(nginxPort)/vod/\(video)/bench/seg_00000.m4s", daemons)

            let paths = (0..<segments).map { "/vod/\(video)/bench/seg_\(Self.pad($0)).m4s?token=\(token)" }
            let edgeBase = "https://127.0.0.1:\(httpsPort)"
            let nginxBase = "https://127.0.0.1:\(nginxPort)"
            // Warm the edge cache: every segment once.
            for path in paths {
                let status = await BenchTool.status(edgeBase + path)
                guard status == 200 else { throw ValidationError("warm-up GET \(path) answered \(status)") }
            }
            let rows = [
                try await h2load(name: "edge", base: edgeBase, paths: paths, work: work),
                try await h2load(name: "nginx", base: nginxBase, paths: paths, work: work),
                try await wrk(name: "edge", base: edgeBase, paths: paths, work: work),
                try await wrk(name: "nginx", base: nginxBase, paths: paths, work: work),
            ]
            print(render(rows))
        } catch {
            for daemon in daemons { print(daemon.logTail(lines: 20)) }
            for daemon in daemons.reversed() { await daemon.stop() }
            throw error
        }
        for daemon in daemons.reversed() { await daemon.stop(signal: daemon.name == "nginx" ? SIGQUIT : SIGTERM) }
        try? FileManager.default.removeItem(at: work)
    }

    struct Row {
        var tool: String
        var server: String
        var figures: HLSLoadFigures
    }

    func h2load(name: String, base: String, paths: [String], work: URL) async throws -> Row {
        let list = work.appendingPathComponent("uris-\(name).txt")
        try paths.map { base + $0 }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let (_, output) = try await BenchTool.run("/usr/bin/h2load", [
            "-n", "\(requests)", "-c", "\(connections)", "-m", "\(streams)", "-t", "\(threads)", "-i", list.path,
        ])
        guard output.contains("Application protocol: h2"), let figures = HLSLoadParser.h2load(output) else {
            throw ValidationError("h2load against \(name) failed:\n\(output)")
        }
        return Row(tool: "h2load (HTTP/2, TLS)", server: name, figures: figures)
    }

    func wrk(name: String, base: String, paths: [String], work: URL) async throws -> Row {
        let script = work.appendingPathComponent("paths-\(name).lua")
        let quoted = paths.map { "\"\($0)\"" }.joined(separator: ",\n  ")
        try """
            local paths = {
              \(quoted)
            }
            local i = 0
            request = function()
              i = i + 1
              return wrk.format("GET", paths[(i % #paths) + 1])
            end
            """.write(to: script, atomically: true, encoding: .utf8)
        let (_, output) = try await BenchTool.run("/usr/bin/wrk", [
            "-t", "\(threads)", "-c", "\(connections)", "-d", "\(seconds)s", "-s", script.path, base + "/",
        ])
        guard let figures = HLSLoadParser.wrk(output) else { throw ValidationError("wrk against \(name) failed:\n\(output)") }
        return Row(tool: "wrk (HTTP/1.1, TLS)", server: name, figures: figures)
    }

    /// nginx serving the store's object files with the edge's certificate, HTTP/2 by ALPN.
    func startNginx(work: URL, port: Int, root: String) throws -> ChildProcess {
        let directory = work.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tls = work.path + "/tls/self-signed"
        let isRoot = getuid() == 0
        let config = """
            \(isRoot ? "user root;" : "")
            worker_processes \(nginxWorkers);
            daemon off;
            master_process on;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path \(directory.path)/body;
              proxy_temp_path \(directory.path)/proxy;
              fastcgi_temp_path \(directory.path)/fastcgi;
              uwsgi_temp_path \(directory.path)/uwsgi;
              scgi_temp_path \(directory.path)/scgi;
              types { video/mp4 m4s mp4; application/vnd.apple.mpegurl m3u8; image/jpeg jpg; }
              sendfile on;
              tcp_nopush on;
              keepalive_requests 1000000;
              http2_max_requests 1000000;
              server {
                listen 127.0.0.1:\(port) ssl http2;
                ssl_certificate \(tls)/cert.pem;
                ssl_certificate_key \(tls)/key.pem;
                root \(root);
                location /vod/ {
                  add_header Cache-Control "public, max-age=31536000, immutable";
                  add_header Access-Control-Allow-Origin "*";
                }
              }
            }
            """
        let file = directory.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        return try BenchTool.daemon("nginx", executable: "/usr/sbin/nginx", arguments: ["-c", file.path, "-p", directory.path],
                                    environment: [:], logDirectory: work)
    }

    func waitReady(_ url: String, _ daemons: [ChildProcess]) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while await BenchTool.status(url) != 200 {
            if let dead = daemons.first(where: { !$0.isRunning }) {
                throw ValidationError("\(dead.name) exited:\n\(dead.logTail(lines: 20))")
            }
            guard ContinuousClock.now < deadline else { throw ValidationError("\(url) not ready within 60 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    func render(_ rows: [Row]) -> String {
        var lines = ["HLS segment delivery, warm edge cache vs nginx 1.22 (same files, same certificate, same run)"
                     + (label.isEmpty ? "" : " — \(label)"),
                     "\(segments) segments × \(segmentBytes) B; h2load -n \(requests) -c \(connections) -m \(streams) -t \(threads); "
                     + "wrk -c \(connections) -t \(threads) -d \(seconds)s; nginx workers \(nginxWorkers)", ""]
        let header = ["tool", "measure", "edge", "nginx", "edge/nginx"]
        var table: [[String]] = []
        for tool in ["h2load (HTTP/2, TLS)", "wrk (HTTP/1.1, TLS)"] {
            guard let edge = rows.first(where: { $0.tool == tool && $0.server == "edge" }),
                  let nginx = rows.first(where: { $0.tool == tool && $0.server == "nginx" }) else { continue }
            table.append([tool, "requests/s", fmt(edge.figures.requestsPerSecond), fmt(nginx.figures.requestsPerSecond),
                          ratio(edge.figures.requestsPerSecond, nginx.figures.requestsPerSecond)])
            table.append(["", "MB/s", fmt(edge.figures.megabytesPerSecond), fmt(nginx.figures.megabytesPerSecond),
                          ratio(edge.figures.megabytesPerSecond, nginx.figures.megabytesPerSecond)])
            table.append(["", "ok / failed", "\(edge.figures.succeeded) / \(edge.figures.failed)",
                          "\(nginx.figures.succeeded) / \(nginx.figures.failed)", ""])
        }
        let widths = header.indices.map { column in ([header] + table).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index < 2 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        lines += table.map(line)
        return lines.joined(separator: "\n")
    }

    func fmt(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }
    func ratio(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%.2f", a / b) : "—" }

    static func pad(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// World-readable files and directories, for nginx workers that run as another user.
    func chmodTree(_ path: String) {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return }
        chmod(path, 0o755)
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = path + "/" + name
            FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            chmod(full, isDirectory.boolValue ? 0o755 : 0o644)
        }
    }
}

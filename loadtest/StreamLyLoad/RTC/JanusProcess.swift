import Foundation
import NIOPosix
import StreamLyProcess
import WebRTCTestSupport

/// A Janus WebRTC server (Debian `janus`, VideoRoom plugin and HTTP transport only) started by
/// `streamly-load rtc --janus` with a configuration of its own, inside a network namespace of
/// its own (`NetworkNamespace`, veth pair): Janus never gathers loopback candidates, so it
/// runs on the namespace's veth address, where the load tool's peers reach it. ICE-lite, as
/// StreamLy's edge; its own self-signed DTLS certificate; its RTP ports from `basePort + 2`.
final class JanusProcess: Sendable {
    let process: ChildProcess
    let namespace: NetworkNamespace
    /// The HTTP API (`http://<namespace address>:<port>/janus`).
    let api: EdgeAddress
    let directory: URL

    var pid: Int32 { process.pid }

    private init(process: ChildProcess, namespace: NetworkNamespace, api: EdgeAddress, directory: URL) {
        self.process = process
        self.namespace = namespace
        self.api = api
        self.directory = directory
    }

    /// Starts Janus, runs `body`, stops Janus and removes its namespace and files.
    static func with<T: Sendable>(binary: String, basePort: Int, debugLevel: Int, _ body: (JanusProcess) async throws -> T) async throws -> T {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RTCLoadSDP.Failure(description: "\(binary) is missing: apt-get install janus (infra/install.sh)")
        }
        guard NetworkNamespace.isSupported else {
            throw RTCLoadSDP.Failure(description: "Janus runs in a network namespace of its own: needs root and ip(8)")
        }
        let namespace = try NetworkNamespace.create()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-load-janus-\(getpid())")
        let janus: JanusProcess
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try writeConfiguration(into: directory, address: namespace.peerAddress, basePort: basePort, debugLevel: debugLevel)
            let (path, arguments) = namespace.command([binary, "-C", directory.appendingPathComponent("janus.jcfg").path,
                                                       "-F", directory.path, "-o"])
            let process = try ChildProcess(path, arguments: arguments, name: "janus", log: directory.appendingPathComponent("janus.log"))
            janus = JanusProcess(process: process, namespace: namespace,
                                 api: EdgeAddress(host: namespace.peerAddress, port: basePort), directory: directory)
            try await janus.waitReady()
        } catch {
            namespace.remove()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        do {
            let result = try await body(janus)
            await janus.stop()
            return result
        } catch {
            print(janus.process.logTail(lines: 60))
            await janus.stop(keepingLog: true)
            throw error
        }
    }

    /// Stops Janus, removes its namespace and its directory (or all of it but its log).
    func stop(keepingLog: Bool = false) async {
        await process.stop(signal: SIGTERM, grace: .seconds(10))
        namespace.remove()
        if keepingLog {
            print("janus's log: \(directory.appendingPathComponent("janus.log").path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Polls `GET /janus/info` until it answers (Janus loads its plugins first).
    private func waitReady() async throws {
        let client = RESTClient(group: MultiThreadedEventLoopGroup.singleton)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw RTCLoadSDP.Failure(description: "janus exited at start:\n\(process.logTail(lines: 40))")
            }
            if let (status, _) = try? await client.send(.GET, "/janus/info", on: api, body: Data(), token: nil), status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw RTCLoadSDP.Failure(description: "janus did not answer on \(api) within 30 s:\n\(process.logTail(lines: 40))")
    }

    /// janus.jcfg (ICE-lite, the namespace's interface, RTP ports, only VideoRoom and HTTP),
    /// the HTTP transport's and the VideoRoom's files (no static rooms: the tool creates them).
    static func writeConfiguration(into directory: URL, address: String, basePort: Int, debugLevel: Int) throws {
        let libraries = "/usr/lib/x86_64-linux-gnu/janus"
        let plugins = ["audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip", "streaming", "textroom",
                       "videocall", "voicemail"].map { "libjanus_\($0).so" }.joined(separator: ",")
        let transports = ["mqtt", "nanomsg", "pfunix", "rabbitmq", "websockets"].map { "libjanus_\($0).so" }.joined(separator: ",")
        let files = [
            "janus.jcfg": """
                general: {
                    configs_folder = "\(directory.path)"
                    plugins_folder = "\(libraries)/plugins"
                    transports_folder = "\(libraries)/transports"
                    events_folder = "\(libraries)/events"
                    loggers_folder = "\(libraries)/loggers"
                    debug_level = \(debugLevel)
                    admin_secret = "streamly-load-unused-admin-secret"
                    session_timeout = 120
                }
                media: {
                    rtp_port_range = "\(basePort + 2)-\(basePort + 2_001)"
                }
                nat: {
                    ice_lite = true
                    ignore_mdns = true
                    nice_debug = \(debugLevel >= 7)
                }
                plugins: {
                    disable = "\(plugins)"
                }
                transports: {
                    disable = "\(transports)"
                }
                loggers: {
                    disable = "libjanus_jsonlog.so"
                }
                events: {
                }

                """,
            "janus.transport.http.jcfg": """
                general: {
                    base_path = "/janus"
                    http = true
                    port = \(basePort)
                    ip = "\(address)"
                    https = false
                }
                admin: {
                    admin_http = false
                }

                """,
            "janus.plugin.videoroom.jcfg": "general: {\n}\n",
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}

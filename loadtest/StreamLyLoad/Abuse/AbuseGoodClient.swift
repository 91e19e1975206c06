import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The well-behaved client of `streamly-load abuse`: signs up, subscribes to a channel of its
/// own and, until stopped, publishes one message at a time (latency: publish → ack) and, with
/// `--hls`, fetches that playlist (latency: request → last byte). Every operation's latency is
/// recorded under the current phase ("baseline" or an attack's name); failures are counted.
final class AbuseGoodClient: Sendable {
    struct Phase: Sendable {
        var latencies = LatencyRecorder()
        var failures = 0
    }

    let edge: EdgeAddress
    let socket: AbuseWebSocket
    let channel: String
    let token: String
    let hlsPath: String?
    let rest: RESTClient
    private let phases = Mutex<[String: Phase]>([:])
    private let current = Mutex("baseline")
    private let nextID = Atomic(1)

    private struct Account: Decodable { var access_token: String }
    private struct Created: Decodable { var id: String }
    private struct Credentials: Encodable { var username: String; var password: String }
    private struct NewChannel: Encodable { var name: String; var `private`: Bool }

    private init(edge: EdgeAddress, socket: AbuseWebSocket, channel: String, token: String, hlsPath: String?, rest: RESTClient) {
        self.token = token
        self.edge = edge
        self.socket = socket
        self.channel = channel
        self.hlsPath = hlsPath
        self.rest = rest
    }

    static func start(edge: EdgeAddress, hlsPath: String?) async throws -> AbuseGoodClient {
        let rest = RESTClient(group: MultiThreadedEventLoopGroup.singleton)
        let name = "abuse\(UInt32.random(in: 0...UInt32.max))"
        let account = try await rest.post("/api/v1/auth/signup", on: edge, body: Credentials(username: name, password: "abuse-good-client"),
                                          as: Account.self)
        let channel = try await rest.post("/api/v1/channels", on: edge, body: NewChannel(name: name, private: false),
                                          token: account.access_token, as: Created.self).id
        guard let socket = try await AbuseWebSocket.connect(edge, token: account.access_token) else {
            throw RESTClient.Failure(description: "the good client's WebSocket upgrade was refused")
        }
        let client = AbuseGoodClient(edge: edge, socket: socket, channel: channel, token: account.access_token,
                                     hlsPath: hlsPath, rest: rest)
        let id = client.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        socket.send(json: ["op": "subscribe", "channel": channel, "id": id])
        guard await socket.reply(id: id, timeout: .seconds(10))?["op"] as? String == "subscribed" else {
            throw RESTClient.Failure(description: "the good client could not subscribe")
        }
        return client
    }

    /// Records the operations from now on under `phase`.
    func begin(_ phase: String) { current.withLock { $0 = phase } }
    func phase(_ name: String) -> Phase { phases.withLock { $0[name] ?? Phase() } }

    /// Runs operations until `stop` is set.
    func run(until stop: AbuseStop) async {
        while !stop.isSet {
            await publishOnce()
            if let hlsPath { await fetch(hlsPath) }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func record(_ started: UInt64, ok: Bool) {
        let elapsed = nowNanos() - started
        let phase = current.withLock { $0 }
        phases.withLock { phases in
            if ok { phases[phase, default: Phase()].latencies.record(nanoseconds: elapsed) }
            else { phases[phase, default: Phase()].failures += 1 }
        }
    }

    private func publishOnce() async {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let started = nowNanos()
        socket.send(json: ["op": "publish", "channel": channel, "client_id": "good-\(id)", "body": "hello \(id)", "id": id])
        let reply = await socket.reply(id: id, timeout: .seconds(20))
        record(started, ok: reply?["op"] as? String == "ack")
    }

    private func fetch(_ path: String) async {
        let started = nowNanos()
        let status = try? await rest.send(.GET, path, on: edge, body: Data(), token: nil).status
        record(started, ok: status == 200)
    }
}

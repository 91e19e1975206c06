import Foundation
import NIOPosix
import Synchronization

/// One participant in a Janus VideoRoom over Janus's HTTP API (janus.conf.meetecho.com/docs/rest,
/// videoroom): a session with a long-poll loop for its events, a publisher handle
/// (`joinandconfigure` with our offer; the feed id is the run's publisher index + 1) and a
/// subscriber handle (multistream `join` on every other feed: Janus offers, we `start` with our
/// answer). The room is created by the call's first participant.
final class JanusVideoRoomSignaling: RTCLoadSignaling {
    let janus: JanusProcess
    let client: RESTClient
    let session: Int
    let room: Int
    let feed: Int?
    /// Our end of the namespace's veth pair.
    var localAddress: String { janus.namespace.hostAddress }
    var namespace: String? { nil }
    private let publisherHandle: Int?
    private let subscriberHandle: Mutex<Int?>
    private let events = Mutex<[[String: any Sendable]]>([])
    private let polling: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let transactions = Counter()

    private init(janus: JanusProcess, client: RESTClient, session: Int, room: Int, feed: Int?, publisherHandle: Int?) {
        self.janus = janus
        self.client = client
        self.session = session
        self.room = room
        self.feed = feed
        self.publisherHandle = publisherHandle
        self.subscriberHandle = Mutex(nil)
    }

    /// Creates the session (and the room, for the call's first participant) and, for a
    /// publisher, its publisher handle.
    static func join(janus: JanusProcess, room: Int, participant: Int, publishes: Bool, firstFeed: Int) async throws
        -> JanusVideoRoomSignaling
    {
        let client = RESTClient(group: MultiThreadedEventLoopGroup.singleton)
        let created = try await call(client, janus, "/janus", ["janus": "create"])
        guard let session = (created["data"] as? [String: Any])?["id"] as? Int else {
            throw RTCLoadSDP.Failure(description: "janus create: \(created)")
        }
        let handle = try await attach(client, janus, session: session)
        if participant == 0 {
            let answer = try await call(client, janus, "/janus/\(session)/\(handle)", [
                "janus": "message", "body": ["request": "create", "room": room, "publishers": 16, "audiocodec": "opus",
                                             "videocodec": "vp8", "bitrate": 0, "notify_joining": false] as [String: any Sendable],
            ])
            let data = (answer["plugindata"] as? [String: Any])?["data"] as? [String: Any]
            guard data?["videoroom"] as? String == "created" else { throw RTCLoadSDP.Failure(description: "janus room create: \(answer)") }
        }
        let signaling = JanusVideoRoomSignaling(janus: janus, client: client, session: session, room: room,
                                                feed: publishes ? firstFeed + participant + 1 : nil,
                                                publisherHandle: publishes ? handle : nil)
        signaling.startPolling()
        return signaling
    }

    func publish(offer: String) async throws -> String {
        guard let handle = publisherHandle, let feed else { throw RTCLoadSDP.Failure(description: "not a publisher") }
        let transaction = try await message(handle: handle, [
            "request": "joinandconfigure", "room": room, "ptype": "publisher", "id": feed, "display": "load \(feed)",
        ], jsep: ["type": "offer", "sdp": offer, "rid_order": "lmh"])  // our a=simulcast lists q;h;f, lowest first
        try await trickleCompleted(handle: handle)
        let event = try await nextEvent(timeout: .seconds(30)) { $0["transaction"] as? String == transaction }
        guard let jsep = event["jsep"] as? [String: Any], let sdp = jsep["sdp"] as? String else {
            throw RTCLoadSDP.Failure(description: "janus joinandconfigure: \(event)")
        }
        return sdp
    }

    func subscribe(to publishers: [Int]) async throws {
        let handle = try await Self.attach(client, janus, session: session)
        subscriberHandle.withLock { $0 = handle }
        _ = try await message(handle: handle, [
            "request": "join", "room": room, "ptype": "subscriber",
            "streams": publishers.map { ["feed": $0 + 1] as [String: any Sendable] },
        ])
    }

    func nextSubscribeOffer(timeout: Duration) async throws -> String? {
        guard let handle = subscriberHandle.withLock({ $0 }) else { return nil }
        let event = try? await nextEvent(timeout: timeout) {
            $0["sender"] as? Int == handle && ($0["jsep"] as? [String: Any])?["type"] as? String == "offer"
        }
        return (event?["jsep"] as? [String: Any])?["sdp"] as? String
    }

    func answerSubscribe(_ sdp: String) async throws {
        guard let handle = subscriberHandle.withLock({ $0 }) else { throw RTCLoadSDP.Failure(description: "no subscriber handle") }
        _ = try await message(handle: handle, ["request": "start", "room": room], jsep: ["type": "answer", "sdp": sdp])
        try await trickleCompleted(handle: handle)
    }

    func leave() async {
        polling.withLock { $0?.cancel() }
        _ = try? await Self.call(client, janus, "/janus/\(session)", ["janus": "destroy"])
    }

    // MARK: HTTP

    /// Sends a plugin message (asynchronous in Janus: the answer comes as an event with the
    /// same transaction); returns the transaction.
    private func message(handle: Int, _ body: [String: any Sendable], jsep: [String: any Sendable]? = nil) async throws -> String {
        let transaction = "t\(transactions.next())"
        var object: [String: any Sendable] = ["janus": "message", "transaction": transaction, "body": body]
        if let jsep { object["jsep"] = jsep }
        let ack = try await Self.call(client, janus, "/janus/\(session)/\(handle)", object)
        guard ["ack", "success"].contains(ack["janus"] as? String) else {
            throw RTCLoadSDP.Failure(description: "janus \(body["request"] ?? "?"): \(ack)")
        }
        if ack["janus"] as? String == "success" {
            // A synchronous answer: keep it for nextEvent.
            events.withLock { $0.append(Self.sendable(ack)) }
        }
        return transaction
    }

    private func trickleCompleted(handle: Int) async throws {
        _ = try await Self.call(client, janus, "/janus/\(session)/\(handle)", ["janus": "trickle", "candidate": ["completed": true]])
    }

    private static func attach(_ client: RESTClient, _ janus: JanusProcess, session: Int) async throws -> Int {
        let attached = try await call(client, janus, "/janus/\(session)", ["janus": "attach", "plugin": "janus.plugin.videoroom"])
        guard let handle = (attached["data"] as? [String: Any])?["id"] as? Int else {
            throw RTCLoadSDP.Failure(description: "janus attach: \(attached)")
        }
        return handle
    }

    @discardableResult
    private static func call(_ client: RESTClient, _ janus: JanusProcess, _ path: String, _ object: [String: any Sendable])
        async throws -> [String: Any]
    {
        var object = object
        if object["transaction"] == nil { object["transaction"] = "x\(UInt32.random(in: 0...UInt32.max))" }
        let body = try JSONSerialization.data(withJSONObject: object)
        let (status, bytes) = try await client.send(.POST, path, on: janus.api, body: body, token: nil)
        guard status == 200, let answer = try JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw RTCLoadSDP.Failure(description: "janus POST \(path): \(status) \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        if answer["janus"] as? String == "error" { throw RTCLoadSDP.Failure(description: "janus POST \(path): \(answer)") }
        return answer
    }

    // MARK: Events

    /// The session's long poll (`GET /janus/<session>?maxev=10`), appending every event.
    private func startPolling() {
        let task = Task { [self] in
            while !Task.isCancelled {
                guard let (status, bytes) = try? await client.send(.GET, "/janus/\(session)?maxev=10", on: janus.api, body: Data(),
                                                                  token: nil), status == 200
                else {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let parsed = try? JSONSerialization.jsonObject(with: bytes)
                let list = (parsed as? [[String: Any]]) ?? (parsed as? [String: Any]).map { [$0] } ?? []
                let relevant = list.filter { $0["janus"] as? String != "keepalive" }.map(Self.sendable)
                if !relevant.isEmpty { events.withLock { $0.append(contentsOf: relevant) } }
            }
        }
        polling.withLock { $0 = task }
    }

    /// The first event `match` accepts, removed, waiting up to `timeout`. A plugin error
    /// event for it throws.
    private func nextEvent(timeout: Duration, where match: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: [String: any Sendable]? = events.withLock { events in
                guard let index = events.firstIndex(where: { match($0) }) else { return nil }
                return events.remove(at: index)
            }
            if let found {
                let data = (found["plugindata"] as? [String: Any])?["data"] as? [String: Any]
                if let error = data?["error"] { throw RTCLoadSDP.Failure(description: "janus: \(error)") }
                return found
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw RTCLoadSDP.Failure(description: "janus: no awaited event within \(timeout)")
    }

    /// JSON objects from JSONSerialization hold only Sendable values (strings, numbers,
    /// arrays, dictionaries, NSNull); this says so to the compiler.
    private static func sendable(_ object: [String: Any]) -> [String: any Sendable] {
        object.mapValues { value in
            switch value {
            case let dictionary as [String: Any]: sendable(dictionary)
            case let array as [Any]: array.map { ($0 as? [String: Any]).map(sendable) ?? String(describing: $0) } as [any Sendable]
            case let string as String: string
            case let number as Int: number
            case let number as Double: number
            case let flag as Bool: flag
            default: String(describing: value)
            }
        }
    }
}

import Foundation
import StreamLySFU
import Synchronization

/// How one synthetic participant signals to the SFU under test: StreamLy's `rtc.*` ops over the
/// edge's WebSocket, or Janus's VideoRoom over its HTTP API. Either way the participant sends
/// one publish offer and answers the server's subscribe offers on one peer connection.
protocol RTCLoadSignaling: Sendable {
    /// The local address our sockets bind and our candidates carry (the server reaches it).
    var localAddress: String { get }
    /// The network namespace our media sockets are opened in (nil: this process's own).
    var namespace: String? { get }
    /// Sends the `pub` offer; the server's answer SDP.
    func publish(offer: String) async throws -> String
    /// Asks for the call's tracks (StreamLy offers them by itself; Janus is asked for the
    /// publishers named).
    func subscribe(to publishers: [Int]) async throws
    /// The server's next subscribe offer, waiting up to `timeout`; nil when none came.
    func nextSubscribeOffer(timeout: Duration) async throws -> String?
    /// Our answer to the last subscribe offer.
    func answerSubscribe(_ sdp: String) async throws
    func leave() async
}

/// StreamLy's conference signaling (DESIGN.md "Conference signaling", docs/api.md "Calls").
final class StreamLyRTCSignaling: RTCLoadSignaling {
    /// Events the load participant does not use: dropped from the received texts.
    static let ignoredEvents: Set<String> = ["rtc.speakers", "rtc.track", "rtc.participant"]

    let socket: AbuseWebSocket
    let site: RTCLoadSite
    var localAddress: String { site.address }
    var namespace: String? { site.namespace }
    private let nextID = Counter()

    private init(socket: AbuseWebSocket, site: RTCLoadSite) {
        self.socket = socket
        self.site = site
    }

    /// Opens a WebSocket on `site`'s edge (from its client host) as `token`'s user and joins
    /// `channel`'s call.
    static func join(site: RTCLoadSite, token: String, channel: String) async throws -> StreamLyRTCSignaling {
        let tcp = site.namespace == nil ? nil : try await NamespaceSocket.tcp(in: site.namespace, from: site.address, to: site.edge)
        guard let socket = try await AbuseWebSocket.connect(site.edge, token: token, socket: tcp) else {
            throw RTCLoadSDP.Failure(description: "the edge refused the WebSocket upgrade")
        }
        let signaling = StreamLyRTCSignaling(socket: socket, site: site)
        let joined = try await signaling.request(["op": "rtc.join", "channel": channel])
        guard joined["op"] as? String == "rtc.joined" else {
            throw RTCLoadSDP.Failure(description: "rtc.join: \(joined)")
        }
        return signaling
    }

    func publish(offer: String) async throws -> String {
        let answer = try await request(["op": "rtc.offer", "pc": "pub", "sdp": offer])
        guard answer["op"] as? String == "rtc.answer", let sdp = answer["sdp"] as? String else {
            throw RTCLoadSDP.Failure(description: "rtc.offer: \(answer)")
        }
        return sdp
    }

    func subscribe(to publishers: [Int]) async throws {}

    func nextSubscribeOffer(timeout: Duration) async throws -> String? {
        let offer = await socket.take(timeout: timeout, discarding: Self.ignoredEvents) {
            $0["op"] as? String == "rtc.offer" && $0["pc"] as? String == "sub"
        }
        if offer == nil, !socket.isOpen { throw RTCLoadSDP.Failure(description: "the edge closed the WebSocket") }
        return offer?["sdp"] as? String
    }

    func answerSubscribe(_ sdp: String) async throws {
        socket.send(json: ["op": "rtc.answer", "pc": "sub", "sdp": sdp])
    }

    func leave() async {
        socket.close()
    }

    /// Sends `object` with a fresh `id` and waits for the answer carrying it.
    private func request(_ object: [String: any Sendable]) async throws -> [String: Any] {
        let id = "r\(nextID.next())"
        var object = object
        object["id"] = id
        socket.send(json: object)
        guard let reply = await socket.take(timeout: .seconds(30), discarding: Self.ignoredEvents, where: { $0["id"] as? String == id })
        else { throw RTCLoadSDP.Failure(description: "no answer to \(object["op"] ?? "?") within 30 s") }
        if reply["op"] as? String == "error" { throw RTCLoadSDP.Failure(description: "\(object["op"] ?? "?"): \(reply)") }
        return reply
    }
}

/// A thread-safe counter for request ids.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
}

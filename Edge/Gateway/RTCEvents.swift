import Foundation
import NIOCore
import StreamLyAPI
import StreamLyEdgeDirectory
import StreamLySFU

/// The `rtc.*` events (DESIGN.md "Conference signaling"; docs/api.md "Calls").
enum RTCEvents {
    struct Track: Encodable {
        var id: String
        var kind: String
        var source: String
        var muted: Bool
        var simulcast: Bool
    }
    struct Member: Encodable {
        var id: String
        var user: String
        var tracks: [Track]
    }
    private struct Joined: Encodable {
        let op = "rtc.joined"
        var id: RequestID?
        var channel: String
        var participant: String
        var participants: [Member]
        var betterEdge: API.EdgeView?

        enum CodingKeys: String, CodingKey {
            case op, id, channel, participant, participants, betterEdge = "better_edge"
        }
    }
    private struct SessionDescriptionEvent: Encodable {
        var op: String
        var id: RequestID?
        var pc: String
        var sdp: String
        var tracks: [PublishedTrack]?
    }
    struct PublishedTrack: Encodable {
        var id: String
        var mid: String
        var kind: String
        var source: String
    }
    private struct ParticipantEvent: Encodable {
        let op = "rtc.participant"
        var participant: String
        var user: String
        var state: String
    }
    private struct TrackEvent: Encodable {
        let op = "rtc.track"
        var participant: String
        var track: String
        var kind: String
        var source: String
        var state: String
    }
    private struct Speaker: Encodable {
        var participant: String
        var level: Double
    }
    private struct Speakers: Encodable {
        let op = "rtc.speakers"
        var speakers: [Speaker]
    }
    private struct Left: Encodable {
        let op = "rtc.left"
        var id: RequestID?
        var channel: String
        var reason: String?
        /// True when the call goes on elsewhere: join it again through another edge.
        var rejoin: Bool?
    }

    private static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data(#"{"op":"error","code":"internal","message":"encoding"}"#.utf8))
    }

    static func member(_ info: ParticipantInfo) -> Member {
        Member(id: info.id, user: info.user, tracks: info.tracks.map {
            Track(id: $0.id, kind: $0.kind, source: $0.source.rawValue, muted: $0.muted, simulcast: $0.simulcast)
        })
    }

    static func joined(id: RequestID?, channel: String, participant: String, others: [ParticipantInfo],
                       betterEdge: API.EdgeView? = nil) -> ByteBuffer {
        encode(Joined(id: id, channel: channel, participant: participant, participants: others.map(member), betterEdge: betterEdge))
    }
    static func answer(id: RequestID?, result: PublishResult) -> ByteBuffer {
        encode(SessionDescriptionEvent(op: "rtc.answer", id: id, pc: "pub", sdp: result.sdp, tracks: result.tracks.map {
            PublishedTrack(id: $0.info.id, mid: $0.mid, kind: $0.info.kind, source: $0.info.source.rawValue)
        }))
    }
    static func offer(sdp: String) -> ByteBuffer {
        encode(SessionDescriptionEvent(op: "rtc.offer", id: nil, pc: "sub", sdp: sdp))
    }
    static func participant(id: String, user: String, joined: Bool) -> ByteBuffer {
        encode(ParticipantEvent(participant: id, user: user, state: joined ? "joined" : "left"))
    }
    static func track(_ track: TrackInfo, participant: String, state: TrackState) -> ByteBuffer {
        encode(TrackEvent(participant: participant, track: track.id, kind: track.kind, source: track.source.rawValue,
                          state: state.rawValue))
    }
    static func speakers(_ speakers: [ActiveSpeakerDetector.Speaker]) -> ByteBuffer {
        encode(Speakers(speakers: speakers.map { Speaker(participant: $0.participant, level: $0.level) }))
    }
    static func left(id: RequestID?, channel: String, reason: String?, rejoin: Bool = false) -> ByteBuffer {
        encode(Left(id: id, channel: channel, reason: reason, rejoin: rejoin ? true : nil))
    }
}

/// Turns one participant's call events into frames on its WebSocket session (runs on the
/// call's event loop; only enqueues).
final class RTCSessionListener: ParticipantListener, Sendable {
    let session: GatewaySession
    let membership: CallMembership
    /// Where this edge counts its calls' local participants (nil: not reported).
    let directory: EdgeDirectory?

    init(session: GatewaySession, membership: CallMembership, directory: EdgeDirectory? = nil) {
        self.session = session
        self.membership = membership
        self.directory = directory
    }

    func participant(_ other: ParticipantInfo, joined: Bool) {
        session.enqueue(RTCEvents.participant(id: other.id, user: other.user, joined: joined))
    }
    func track(_ track: TrackInfo, of participant: String, changed state: TrackState) {
        session.enqueue(RTCEvents.track(track, participant: participant, state: state))
    }
    func speakers(_ speakers: [ActiveSpeakerDetector.Speaker]) {
        session.enqueue(RTCEvents.speakers(speakers))
    }
    func subscribeOffer(_ sdp: String) {
        session.enqueue(RTCEvents.offer(sdp: sdp))
    }
    func removed(reason: String, rejoin: Bool) {
        // The edge ended this participant's membership (call closed, transport gone). Whoever
        // ends a membership uncounts it: the connection's end finds none left to uncount, so
        // without this a drained edge announced the call as hosted until it withdrew, and the
        // other edges kept their relay links to it.
        if session.state.withLock({ $0.machine.leftCall(participant: membership.participant) }) != nil {
            directory?.participantLeft(call: membership.channel)
            session.enqueue(RTCEvents.left(id: nil, channel: membership.channel, reason: reason, rejoin: rejoin))
        }
    }
}

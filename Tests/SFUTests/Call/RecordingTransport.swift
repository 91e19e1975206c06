import NIOCore
import StreamLySFU

/// A test double of a peer connection's sending side: records what the call sends.
final class RecordingTransport: CallTransport {
    let localDescription: TransportDescription
    var rtp: [ByteBuffer] = []
    var rtcp: [ByteBuffer] = []
    var started: SessionDescription?
    var closed = false

    init(ufrag: String) {
        localDescription = TransportDescription(
            iceUfrag: ufrag, icePassword: "0123456789abcdef012345",
            fingerprints: [SDPFingerprint(hashFunction: "sha-256", value: String(repeating: "AB:", count: 31) + "AB")],
            candidates: [SDPCandidate(foundation: "1", priority: 2_130_706_431, address: "10.198.0.2", port: 10000)])
    }

    func start(remote sdp: SessionDescription, section: MediaDescription) { started = sdp }
    func sendRTP(_ packet: inout ByteBuffer) { rtp.append(packet) }
    func sendRTCP(_ packet: inout ByteBuffer) { rtcp.append(packet) }
    func close() { closed = true }
    func attach(to participant: Participant<RecordingTransport>) {}

    var rtpPackets: [RTPPacket] { rtp.compactMap { try? RTPPacket.parse($0) } }
    var rtcpPackets: [RTCPPacket] { rtcp.flatMap { (try? RTCPCompoundIterator.parse($0)) ?? [] } }
}

/// Records a participant's signaling events.
final class RecordingListener: ParticipantListener {
    var joined: [String] = []
    var left: [String] = []
    var tracks: [(String, TrackState)] = []
    var speakerLists: [[ActiveSpeakerDetector.Speaker]] = []
    var offers: [String] = []
    var removedReasons: [String] = []
    var rejoins: [Bool] = []

    func participant(_ other: ParticipantInfo, joined: Bool) {
        if joined { self.joined.append(other.id) } else { left.append(other.id) }
    }
    func track(_ track: TrackInfo, of participant: String, changed state: TrackState) { tracks.append((track.id, state)) }
    func speakers(_ speakers: [ActiveSpeakerDetector.Speaker]) { speakerLists.append(speakers) }
    func subscribeOffer(_ sdp: String) { offers.append(sdp) }
    func removed(reason: String, rejoin: Bool) {
        removedReasons.append(reason)
        rejoins.append(rejoin)
    }
}

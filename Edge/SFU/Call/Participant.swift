import NIOCore

/// One member of a call: its `pub` connection (the client offers, its tracks become
/// Producers) and its `sub` connection (the edge offers, the others' tracks reach it through
/// Consumers in stable slots). Lives on the call's event loop.
public final class Participant<Transport: CallTransport> {
    /// How an incoming SSRC on `pub` maps to a producer and layer.
    struct Route {
        var producer: Int
        var layer: Int
        var isRTX: Bool
    }

    public let id: String
    public let user: String
    /// The client's connections; nil for a remote participant (published on another edge,
    /// its tracks arrive over a relay link).
    public let pub: Transport?
    public let sub: Transport?
    /// Where feedback for a remote participant's tracks goes (its relay link); nil when local.
    weak var uplink: (any RemoteUplink)?
    public let isRemote: Bool
    /// Strong: the listener (the signaling session) does not hold the participant.
    var listener: (any ParticipantListener)?
    weak var call: Call<Transport>?
    public internal(set) var producers: [Producer<Transport>] = []
    var routes: [UInt32: Route] = [:]
    /// Consumers by the SSRC this subscriber receives (media and RTX), for its feedback.
    var consumersBySSRC: [UInt32: Consumer<Transport>] = [:]
    var slots: [SubscribeSlot] = []
    var consumersByMid: [String: Consumer<Transport>] = [:]
    var payloadTypes = SubscribePayloadTypes()
    var negotiation = SubscribeNegotiationStateMachine()
    /// The offer waiting for its answer.
    var pendingOffer: SessionDescription?
    /// How many slots the client's last answer covered (the next offer's base).
    var negotiatedSlots = 0
    var subscribeStarted = false
    var publishStarted = false
    /// The subscriber's downlink estimate (REMB), bits/s.
    public var downlinkEstimate: UInt64? { downlink.estimate }
    /// When that estimate limits the layers it gets.
    var downlink = DownlinkLimit()
    /// Bits/s forwarded to this subscriber over the last second (all its tracks).
    var forwardedBitrate: UInt64 = 0
    /// Transport-wide congestion control on `sub`: the extension id the subscriber's answer
    /// kept (0 = not negotiated) and the estimator its feedback feeds.
    var subscribeTransportCCID: UInt8 = 0
    var bandwidth = SendSideBandwidthEstimator()
    /// Transport-wide congestion control on `pub`: the offer's extension id (0 = none) and the
    /// arrivals the edge reports back (the publisher's bandwidth estimation relies on them).
    var publishTransportCCID: UInt8 = 0
    var publishFeedback = TransportFeedbackGenerator()
    /// Edge NTP − this publisher's NTP, from its first sender report (one value for all its
    /// streams, so subscribers keep its audio/video synchronisation).
    var clockOffset: UInt64?
    /// The SSRC the edge puts on feedback it sends this participant.
    let feedbackSSRC: UInt32
    var rtcpScratch = ByteBuffer()
    var nackScratch: [UInt16] = []
    let sessionID: String

    init(id: String, user: String, pub: Transport?, sub: Transport?, listener: (any ParticipantListener)?,
         feedbackSSRC: UInt32, sessionID: String, uplink: (any RemoteUplink)? = nil) {
        self.id = id
        self.user = user
        self.pub = pub
        self.sub = sub
        self.uplink = uplink
        self.isRemote = uplink != nil
        self.listener = listener
        self.feedbackSSRC = feedbackSSRC
        self.sessionID = sessionID
        rtcpScratch.reserveCapacity(1500)
    }

    public var info: ParticipantInfo {
        ParticipantInfo(id: id, user: user, tracks: producers.map(\.info))
    }

    func producer(withID id: String) -> Producer<Transport>? {
        producers.first { $0.id == id }
    }

    // MARK: Publish side

    /// A packet from the client's `pub` connection (already unprotected).
    func receivePublishedRTP(_ buffer: ByteBuffer, now: UInt64) {
        guard let packet = try? RTPPacket.parse(buffer) else { return }
        if publishTransportCCID != 0, let value = packet.headerExtension(id: publishTransportCCID),
           let sequence = value.getInteger(at: value.readerIndex, as: UInt16.self) {
            publishFeedback.received(sequence, now: now)
        }
        let ssrc = packet.ssrc
        guard let route = routes[ssrc] ?? learnRoute(for: packet) else { return }
        let producer = producers[route.producer]
        if route.isRTX {
            guard RTXPacket.unwrap(packet, mediaSSRC: producer.layers[route.layer].ssrc ?? 0,
                                   mediaPayloadType: producer.media.codec.payloadType, into: &producer.scratch),
                  let original = try? RTPPacket.parse(producer.scratch)
            else { return }
            producer.receive(original, layer: route.layer, now: now)
        } else {
            producer.receive(packet, layer: route.layer, now: now)
        }
    }

    /// An SSRC seen for the first time: identified by its mid and rid (or repaired rid) header
    /// extensions (Chromium sends them until an RR acknowledges the SSRC: SFU-NOTES §7).
    func learnRoute(for packet: RTPPacket) -> Route? {
        for (index, producer) in producers.enumerated() {
            let ids = producer.media.extensionIDs
            guard ids.mid != 0, let mid = packet.headerExtension(id: ids.mid),
                  String(buffer: mid) == producer.media.mid
            else { continue }
            var route: Route?
            if producer.media.isSimulcast {
                if ids.rid != 0, let rid = packet.headerExtension(id: ids.rid),
                   let layer = producer.media.rids.firstIndex(of: String(buffer: rid)) {
                    route = Route(producer: index, layer: layer, isRTX: false)
                    producer.layers[layer].ssrc = packet.ssrc
                } else if ids.repairedRid != 0, let rid = packet.headerExtension(id: ids.repairedRid),
                          let layer = producer.media.rids.firstIndex(of: String(buffer: rid)) {
                    route = Route(producer: index, layer: layer, isRTX: true)
                    producer.layers[layer].rtxSSRC = packet.ssrc
                }
            } else if packet.payloadType == producer.media.codec.rtxPayloadType {
                route = Route(producer: index, layer: 0, isRTX: true)
                producer.layers[0].rtxSSRC = packet.ssrc
            } else if packet.payloadType == producer.media.codec.payloadType {
                route = Route(producer: index, layer: 0, isRTX: false)
                producer.layers[0].ssrc = packet.ssrc
            }
            guard let route, routes.count < 64 else { return nil }
            routes[packet.ssrc] = route
            if !route.isRTX { call?.layersChanged(producer) }
            return route
        }
        return nil
    }

    /// RTCP from the publisher: sender reports (for our receiver reports, and to map the
    /// timestamps of the streams forwarded to subscribers to wall time). `ntp` is the edge's
    /// wall clock now.
    func receivePublishedRTCP(_ buffer: ByteBuffer, now: UInt64, ntp: UInt64) {
        var iterator = RTCPCompoundIterator(buffer)
        while let packet = try? iterator.next() {
            guard case .senderReport(let report) = packet, let route = routes[report.ssrc], !route.isRTX else { continue }
            producers[route.producer].layers[route.layer].lastSR = report.compactNTP
            producers[route.producer].layers[route.layer].lastSRArrival = now
            producers[route.producer].layers[route.layer].senderNTP = report.ntpTimestamp
            producers[route.producer].layers[route.layer].senderRTP = report.rtpTimestamp
            if clockOffset == nil {
                clockOffset = SenderReportClock.offset(senderNTP: report.ntpTimestamp, arrivedAt: ntp)
            }
        }
    }

    /// Transport-wide feedback for what arrived on `pub` since the last one (the 40 ms tick).
    func sendTransportFeedback() {
        guard publishTransportCCID != 0 else { return }
        let mediaSSRC = producers.lazy.compactMap { $0.layers.first?.ssrc }.first ?? 0
        var sent = 0
        while sent < 4, let feedback = publishFeedback.feedback(senderSSRC: feedbackSSRC, mediaSSRC: mediaSSRC) {
            sendPublisherFeedback(feedback)
            sent += 1
        }
        call?.counters.transportFeedbackSent(sent)
    }

    /// Feedback towards the publisher, on `pub` (or its relay link when remote).
    func sendPublisherFeedback(_ packet: some RTCPWritable) {
        rtcpScratch.clear()
        packet.write(to: &rtcpScratch)
        sendToPublisher(&rtcpScratch)
    }

    func sendToPublisher(_ packet: inout ByteBuffer) {
        if isRemote {
            uplink?.sendRTCP(&packet)
        } else {
            pub?.sendRTCP(&packet)
        }
    }

    // MARK: Subscribe side

    /// RTCP from the subscriber: NACKs, PLI/FIR, REMB, transport-cc feedback (routed by media SSRC: SFU-NOTES §3).
    func receiveSubscriberRTCP(_ buffer: ByteBuffer, now: UInt64) {
        var iterator = RTCPCompoundIterator(buffer)
        while let packet = try? iterator.next() {
            switch packet {
            case .genericNack(let nack):
                consumersBySSRC[nack.mediaSSRC]?.retransmit(nack.lostSequenceNumbers, now: now)
            case .pictureLossIndication(let pli):
                consumersBySSRC[pli.mediaSSRC]?.keyframeRequested(now: now)
            case .fullIntraRequest(let fir):
                for entry in fir.entries { consumersBySSRC[entry.ssrc]?.keyframeRequested(now: now) }
            case .receiverEstimatedMaxBitrate(let remb):
                downlink.estimateReceived(remb.bitrate, forwarded: forwardedBitrate, now: now)
                for consumer in consumersByMid.values { consumer.selectLayer(now: now) }
            case .transportFeedback(let feedback):
                bandwidth.feedbackReceived(feedback)
                call?.counters.transportFeedbackReceived()
            default:
                continue
            }
        }
    }
}

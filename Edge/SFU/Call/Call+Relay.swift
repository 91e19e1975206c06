import NIOCore

/// A relay link as the call sees it (Edge/SFU/Relay): told when local tracks or needs change
/// (it sends its state at once), ticked every second, closed with the call.
protocol CallRelayHook: AnyObject {
    func callChanged()
    func tick()
    func callClosed()
}

/// Where feedback for a remote participant's tracks goes: RTCP (PLI, FIR, NACK, RR, REMB)
/// back over its relay link to the edge it publishes on.
protocol RemoteUplink: AnyObject {
    func sendRTCP(_ packet: inout ByteBuffer)
}

/// The hooks of the relay (issue 14): participants published on another edge appear here as
/// remote participants whose producers are fed by a relay link; local subscribers consume them
/// like any other.
extension Call {
    func relaysChanged() {
        for relay in relays { relay.callChanged() }
    }

    /// Adds a participant of another edge; local participants hear `joined`.
    func joinRemote(id: String, user: String, uplink: any RemoteUplink) -> Participant<Transport>? {
        guard !isClosed, participant(id) == nil, participants.count < limits.maxParticipants else { return nil }
        let participant = Participant<Transport>(id: id, user: user, pub: nil, sub: nil, listener: nil,
                                                 feedbackSSRC: UInt32.random(in: 1...UInt32.max), sessionID: "0", uplink: uplink)
        participant.call = self
        for other in participants { other.listener?.participant(participant.info, joined: true) }
        participants.append(participant)
        metrics.participants.increment(by: 1)
        return participant
    }

    /// A track of a remote participant: a producer whose layers' SSRCs are known up front.
    /// Local participants get `published` and a re-offer with it.
    func publishRemote(_ participant: Participant<Transport>, media: PublishedMedia, source: TrackSource,
                       ssrcs: [UInt32], muted: Bool) -> Producer<Transport>? {
        guard participant.isRemote, participant.producers.count < limits.maxTracksPerParticipant else { return nil }
        let producer = Producer(id: "t\(nextTrack)", media: media, source: source, participant: participant)
        nextTrack += 1
        for (index, ssrc) in ssrcs.prefix(producer.layers.count).enumerated() where ssrc != 0 {
            producer.layers[index].ssrc = ssrc
        }
        if muted { producer.setMuted(true) }
        participant.producers.append(producer)
        rebuildRoutes(participant)
        for other in participants where other !== participant && !other.isRemote {
            other.listener?.track(producer.info, of: participant.id, changed: .published)
            subscribe(other, to: producer)
            renegotiate(other)
        }
        return producer
    }

    /// Learns SSRCs the publishing edge learnt since (simulcast layers appear one by one).
    func updateRemote(_ producer: Producer<Transport>, ssrcs: [UInt32], bitrates: [UInt64], muted: Bool) {
        var changed = false
        for (index, ssrc) in ssrcs.prefix(producer.layers.count).enumerated() where ssrc != 0 && producer.layers[index].ssrc != ssrc {
            producer.layers[index].ssrc = ssrc
            changed = true
        }
        producer.advertisedBitrates = Array(bitrates.prefix(producer.layers.count))
        if changed {
            rebuildRoutes(producer.participant)
            layersChanged(producer)
        }
        if producer.isMuted != muted {
            producer.setMuted(muted)
            for other in participants where !other.isRemote {
                other.listener?.track(producer.info, of: producer.participant.id, changed: muted ? .muted : .unmuted)
            }
        }
    }

    /// A remote track is gone: its consumers go, local participants get `unpublished` and a re-offer.
    func unpublishRemote(_ producer: Producer<Transport>) {
        unpublish(producer, notify: true)
    }
}

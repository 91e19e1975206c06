import NIOCore

/// The state message both ways: what this edge publishes and needs, applied on the other side.
extension RelayLink {
    /// Sends this edge's local tracks and what its subscribers need of the peer's (on every
    /// change and once a second: the keepalive).
    func sendState(bye: Bool = false) {
        guard let call, let session = machine.session, let key = sendStateKey else { return }
        var state = RelayState(bye: bye)
        if !bye {
            for participant in call.participants where !participant.isRemote && !participant.producers.isEmpty {
                state.participants.append(.init(id: participant.id, user: participant.user,
                                                tracks: participant.producers.map(Self.describe)))
            }
            for entry in remote.values {
                for track in entry.tracks.values {
                    let layers = Self.neededLayers(track.producer)
                    if !layers.isEmpty { state.wants[entry.participant.id + "/" + track.remoteID] = layers }
                }
            }
        }
        sequenceOut += 1
        var buffer = ByteBuffer()
        guard state.seal(receiverLinkID: session.peerLinkID, sequence: sequenceOut, key: key, into: &buffer) else {
            server.logger.warning("relay state too long: not sent", metadata: ["call": "\(channel)"])
            return
        }
        lastSent = Self.now()
        sender.sendFramed(buffer)
    }

    static func describe(_ producer: Producer<Transport>) -> RelayState.Track {
        let media = producer.media
        let ids = media.extensionIDs
        return RelayState.Track(id: producer.id, kind: media.kind, source: producer.source, muted: producer.isMuted, mid: media.mid,
                                payloadType: media.codec.payloadType, codec: media.codec.name, clockRate: media.codec.clockRate,
                                channels: media.codec.channels, fmtp: media.codec.formatParameters,
                                rtxPayloadType: media.codec.rtxPayloadType, rids: media.rids,
                                ssrcs: producer.layers.map { $0.ssrc ?? 0 }, bitrates: producer.layers.map(\.bitrate),
                                extensions: [ids.mid, ids.rid, ids.repairedRid, ids.audioLevel, ids.absSendTime])
    }

    /// The layers local subscribers forward or wait for (audio: its only layer).
    static func neededLayers(_ producer: Producer<Transport>) -> [Int] {
        guard !producer.consumers.isEmpty else { return [] }
        guard producer.videoCodec != nil else { return [0] }
        var layers = Set<Int>()
        for consumer in producer.consumers {
            if let layer = consumer.forwarder.targetLayer { layers.insert(layer) }
            if let layer = consumer.forwarder.currentLayer { layers.insert(layer) }
        }
        return layers.sorted()
    }

    static func media(of track: RelayState.Track) -> PublishedMedia? {
        guard track.kind == "audio" || track.kind == "video", track.rids.count <= 3, track.ssrcs.count <= 3,
              track.extensions.count == 5, !track.mid.isEmpty, track.mid.utf8.count <= 32
        else { return nil }
        var ids = RTPExtensionIDs()
        ids.mid = track.extensions[0]
        ids.rid = track.extensions[1]
        ids.repairedRid = track.extensions[2]
        ids.audioLevel = track.extensions[3]
        ids.absSendTime = track.extensions[4]
        let codec = NegotiatedCodec(payloadType: track.payloadType, name: track.codec, clockRate: track.clockRate,
                                    channels: track.channels, formatParameters: track.fmtp, rtxPayloadType: track.rtxPayloadType)
        return PublishedMedia(mid: track.mid, kind: track.kind, codec: codec,
                              ssrcs: track.rids.count > 1 ? [] : track.ssrcs.filter { $0 != 0 }, rtxSSRCs: [:],
                              rids: track.rids, extensionIDs: ids, msid: nil)
    }

    /// The peer's state: its participants and tracks appear, change or go; its needs set the taps.
    func apply(_ state: RelayState, to call: Call<Transport>) {
        if state.bye {
            peerSaidBye()
            return
        }
        // Participants and tracks of the peer.
        var changed = false
        let announced = Dictionary(state.participants.prefix(call.limits.maxParticipants).map { ($0.id, $0) }) { first, _ in first }
        for id in remote.keys where announced[id] == nil {
            removeRemote(id, from: call)
            changed = true
        }
        for (id, described) in announced {
            if remote[id] == nil {
                // A participant already here (local, or relayed by another link) is not taken twice.
                guard call.participant(id) == nil, let participant = call.joinRemote(id: id, user: described.user, uplink: self) else {
                    continue
                }
                remote[id] = RemoteParticipant(participant: participant)
            }
            guard var entry = remote[id] else { continue }
            let tracks = Dictionary(described.tracks.prefix(call.limits.maxTracksPerParticipant).map { ($0.id, $0) }) { first, _ in first }
            for (trackID, track) in entry.tracks where tracks[trackID] == nil {
                call.unpublishRemote(track.producer)
                changed = true
                entry.tracks[trackID] = nil
                tracksInCount -= 1
                server.metrics.tracksIn.decrement()
            }
            for (trackID, track) in tracks {
                if let existing = entry.tracks[trackID] {
                    call.updateRemote(existing.producer, ssrcs: track.ssrcs, bitrates: track.bitrates, muted: track.muted)
                } else if let media = Self.media(of: track),
                          let producer = call.publishRemote(entry.participant, media: media, source: track.source,
                                                            ssrcs: track.ssrcs, muted: track.muted) {
                    producer.advertisedBitrates = Array(track.bitrates.prefix(producer.layers.count))
                    entry.tracks[trackID] = RemoteTrack(producer: producer, remoteID: trackID)
                    changed = true
                    tracksInCount += 1
                    server.metrics.tracksIn.increment()
                }
            }
            remote[id] = entry
        }
        rebuildSSRCs()
        // What the peer needs of this edge's tracks.
        let now = Self.now()
        var seen = Set<ObjectIdentifier>()
        for participant in call.participants where !participant.isRemote {
            for producer in participant.producers {
                let layers = state.wants[participant.id + "/" + producer.id] ?? []
                var mask: UInt8 = 0
                for layer in layers where (0..<producer.layers.count).contains(layer) { mask |= 1 << UInt8(layer) }
                guard mask != 0 else { continue }
                let key = ObjectIdentifier(producer)
                seen.insert(key)
                let tap: RelayTap
                if let existing = taps[key] {
                    tap = existing.tap
                } else {
                    tap = RelayTap(sender: sender)
                    producer.relayTaps.append(tap)
                    taps[key] = (producer, tap)
                    tracksOutCount += 1
                    server.metrics.tracksOut.increment()
                }
                let added = mask & ~tap.layers
                tap.layers = mask
                // A layer newly needed starts with a keyframe.
                for layer in producer.layers.indices where added & (1 << UInt8(layer)) != 0 {
                    producer.requestKeyframe(layer: layer, now: now)
                }
            }
        }
        for (key, entry) in taps where !seen.contains(key) { removeTap(key, entry.producer, entry.tap) }
        // New or gone remote tracks change what this edge needs: tell the peer now.
        if changed { sendState() }
    }

    func rebuildSSRCs() {
        bySSRC.removeAll(keepingCapacity: true)
        for entry in remote.values {
            for track in entry.tracks.values {
                for layer in track.producer.layers { if let ssrc = layer.ssrc { bySSRC[ssrc] = entry.participant } }
            }
        }
    }

    func removeRemote(_ id: String, from call: Call<Transport>) {
        guard let entry = remote.removeValue(forKey: id) else { return }
        tracksInCount -= entry.tracks.count
        server.metrics.tracksIn.decrement(by: Double(entry.tracks.count))
        if !call.isClosed { call.leave(id) }
    }

    /// Drops every track of the peer: its participants leave the call (local subscribers get
    /// `left` and a re-offer without them).
    func dropRemote() {
        guard let call else {
            remote.removeAll()
            return
        }
        for id in Array(remote.keys) { removeRemote(id, from: call) }
        bySSRC.removeAll()
    }

    func removeTaps() {
        for (key, entry) in taps { removeTap(key, entry.producer, entry.tap) }
    }

    private func removeTap(_ key: ObjectIdentifier, _ producer: Producer<Transport>, _ tap: RelayTap) {
        producer.relayTaps.removeAll { $0 === tap }
        taps[key] = nil
        tracksOutCount -= 1
        server.metrics.tracksOut.decrement()
    }
}

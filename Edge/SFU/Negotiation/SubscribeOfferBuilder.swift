/// Builds the edge's offer on a participant's `sub` connection (SFU-NOTES §3): ICE-lite,
/// `a=setup:actpass`, one BUNDLE, one `sendonly` m-section per forwarded track with
/// `a=msid`, `a=ssrc … cname/msid` and `a=ssrc-group:FID` (aiortc routes by SSRC only), fixed
/// extension ids (mid 1, abs-send-time 2, audio level 3, transport-wide-cc 4) and REMB and
/// transport-cc feedback so the subscriber reports its downlink (whichever it implements). Slots without a track are `inactive`.
public enum SubscribeOfferBuilder {
    public static func offer(slots: [SubscribeSlot], transport: TransportDescription, sessionID: String,
                             version: UInt64) -> SessionDescription {
        var offer = SessionDescription(origin: SDPOrigin(sessionID: sessionID, sessionVersion: String(version)))
        offer.iceLite = true
        offer.extmapAllowMixed = true
        offer.groups = [SDPGroup(semantics: SDPGroup.bundleSemantics, mids: slots.map(\.mid))]
        let streams = Set(slots.compactMap { $0.track?.streamID }).sorted()
        offer.attributes = [SDPAttribute(name: "msid-semantic", value: " WMS" + streams.map { " " + $0 }.joined())]
        offer.media = slots.map { section(for: $0, transport: transport) }
        return offer
    }

    static func section(for slot: SubscribeSlot, transport: TransportDescription) -> MediaDescription {
        let codec = slot.track?.codec ?? placeholderCodec(kind: slot.kind)
        var formats = [String(codec.payloadType)]
        if let rtx = codec.rtxPayloadType { formats.append(String(rtx)) }
        var media = MediaDescription(kind: slot.kind, port: 9, formats: formats)
        transport.apply(to: &media, setup: .actpass)
        media.mid = slot.mid
        media.rtcpReducedSize = true
        media.extmaps = [SDPExtMap(id: SFUCapabilities.subscribeMidID, uri: SDPExtMap.midURI)]
        if slot.kind == "audio" {
            media.extmaps.append(SDPExtMap(id: SFUCapabilities.subscribeAudioLevelID, uri: SDPExtMap.audioLevelURI))
        } else {
            media.extmaps.append(SDPExtMap(id: SFUCapabilities.subscribeAbsSendTimeID, uri: SDPExtMap.absSendTimeURI))
        }
        media.extmaps.append(SDPExtMap(id: SFUCapabilities.subscribeTransportCCID, uri: SDPExtMap.transportWideCCURI))
        media.direction = slot.track == nil ? .inactive : .sendonly
        media.rtpMaps = [SDPRTPMap(payloadType: codec.payloadType, encodingName: codec.name, clockRate: codec.clockRate,
                                   channels: codec.channels)]
        media.rtcpFeedback = (slot.kind == "video" ? SFUCapabilities.videoFeedback : SFUCapabilities.audioFeedback).map {
            SDPRTCPFeedback(payloadType: codec.payloadType, type: $0.type, parameter: $0.parameter)
        }
        if let fmtp = codec.formatParameters, !fmtp.isEmpty {
            media.formatParameters.append(SDPFormatParameters(payloadType: codec.payloadType, value: fmtp))
        }
        if let rtx = codec.rtxPayloadType {
            media.rtpMaps.append(SDPRTPMap(payloadType: rtx, encodingName: "rtx", clockRate: codec.clockRate))
            media.formatParameters.append(SDPFormatParameters(payloadType: rtx, value: "apt=\(codec.payloadType)"))
        }
        if let track = slot.track {
            let msid = "\(track.streamID) \(track.trackID)"
            media.msids = [msid]
            var ssrcs = [track.ssrc]
            if let rtx = track.rtxSSRC, codec.rtxPayloadType != nil {
                ssrcs.append(rtx)
                media.ssrcGroups = [SDPSSRCGroup(semantics: "FID", ssrcs: ssrcs)]
            }
            media.ssrcs = ssrcs.flatMap { ssrc in
                [SDPSSRC(ssrc: ssrc, attribute: "cname", value: "streamly"), SDPSSRC(ssrc: ssrc, attribute: "msid", value: msid)]
            }
        }
        return media
    }

    /// How many of `slots` the next offer may carry when the client has answered an offer with
    /// the first `negotiated` of them: all, except that a kind the client has no m-section of
    /// yet gets only one new m-section per offer (the rest follow in the next offer, after the
    /// answer). aiortc 1.16 (bundle policy "balanced") gives a new transceiver the transport of
    /// the first transceiver of its kind: when two m-sections of a new kind arrive in one offer
    /// the second gets the first one's own transport, which BUNDLE then stops and discards, and
    /// its track never receives a packet (seen with a re-offer bringing the first two audio
    /// tracks at once; aiortc `rtcpeerconnection.py` `__createTransceiver`). Once a kind has a
    /// bundled transceiver, further ones of that kind share the bundle's transport.
    public static func offerableCount(of slots: [SubscribeSlot], negotiated: Int) -> Int {
        let known = Set(slots.prefix(negotiated).map(\.kind))
        var added: Set<String> = []
        for (index, slot) in slots.enumerated().dropFirst(negotiated) where !known.contains(slot.kind) {
            guard added.insert(slot.kind).inserted else { return index }
        }
        return slots.count
    }

    /// The codec line of an inactive slot: any valid format of its kind.
    static func placeholderCodec(kind: String) -> NegotiatedCodec {
        kind == "audio"
            ? NegotiatedCodec(payloadType: 111, name: "opus", clockRate: 48_000, channels: 2,
                              formatParameters: "minptime=10;useinbandfec=1")
            : NegotiatedCodec(payloadType: 96, name: "VP8", clockRate: 90_000)
    }

    /// Checks a client's answer to `offer`: same mids in the same order, `a=setup:active`, ICE
    /// credentials and fingerprints present. Returns the mids the client rejected (port 0).
    public static func checkAnswer(_ answer: SessionDescription, to offer: SessionDescription) throws(NegotiationError) -> [String] {
        guard answer.media.map(\.mid) == offer.media.map(\.mid) else {
            throw NegotiationError(.mismatch, "the answer's m-sections do not match the offer's mids")
        }
        try OfferValidation.check(answer, requireSetupOffer: false)
        return answer.media.filter { $0.port == 0 }.compactMap(\.mid)
    }
}

/// Answers a client's offer on its `pub` connection (SFU-NOTES §2): ICE-lite, one BUNDLE
/// transport, `a=setup:passive`, each m-section `recvonly` with the one codec kept (the offer's
/// payload type and fmtp verbatim) and its RTX, only the extensions and feedback the SFU
/// implements (with the offer's ids), `a=rid … recv` + `a=simulcast:recv` for simulcast.
/// Unsupported m-sections are rejected with port 0 and left out of BUNDLE (RFC 8843 §7.3.3),
/// except the offer's BUNDLE tag, which stays bundled and `inactive` (see `answer`).
public enum PublishAnswerBuilder {
    public static func answer(to offer: SessionDescription, transport: TransportDescription, sessionID: String,
                              version: UInt64, maxTracks: Int) throws(NegotiationError) -> PublishAnswer {
        try OfferValidation.check(offer, requireSetupOffer: true)
        var answer = SessionDescription(origin: SDPOrigin(sessionID: sessionID, sessionVersion: String(version)))
        answer.iceLite = true
        answer.extmapAllowMixed = offer.extmapAllowMixed
        answer.attributes = [SDPAttribute(name: "msid-semantic", value: " WMS")]
        var accepted: [PublishedMedia] = []
        var rejected: [String] = []
        let bundle = offer.bundleMids ?? []
        for section in offer.media {
            let mid = section.mid ?? ""
            let direction = section.direction ?? .sendrecv
            let sends = direction == .sendonly || direction == .sendrecv
            guard sends, accepted.count < maxTracks, bundle.contains(mid),
                  section.kind == "audio" || section.kind == "video",
                  let (codec, rtx) = chooseCodec(in: section)
            else {
                answer.media.append(rejectedSection(section))
                rejected.append(mid)
                continue
            }
            var media = MediaDescription(kind: section.kind, port: 9, proto: section.proto, formats: [])
            transport.apply(to: &media, setup: .passive)
            media.mid = mid
            media.direction = .recvonly
            media.rtcpReducedSize = section.rtcpReducedSize
            media.extmaps = section.extmaps.filter { SFUCapabilities.publishExtensions.contains($0.uri) }
                .filter { section.kind == "audio" || $0.uri != SDPExtMap.audioLevelURI }
                .map { SDPExtMap(id: $0.id, uri: $0.uri) }
            let offeredFeedback = section.rtcpFeedback(for: codec.payloadType)
            media.formats = [String(codec.payloadType)] + (rtx.map { [String($0.payloadType)] } ?? [])
            media.rtpMaps = [codec] + (rtx.map { [$0] } ?? [])
            let wantedFeedback = section.kind == "video" ? SFUCapabilities.videoFeedback : SFUCapabilities.audioFeedback
            media.rtcpFeedback = wantedFeedback.compactMap { wanted in
                offeredFeedback.contains { $0.type == wanted.type && $0.parameter == wanted.parameter }
                    ? SDPRTCPFeedback(payloadType: codec.payloadType, type: wanted.type, parameter: wanted.parameter)
                    : nil
            }
            if let fmtp = section.formatParameters(for: codec.payloadType) { media.formatParameters.append(fmtp) }
            if let rtx { media.formatParameters.append(SDPFormatParameters(payloadType: rtx.payloadType, value: "apt=\(codec.payloadType)")) }
            var rids: [String] = []
            if let simulcast = section.simulcast, !simulcast.send.isEmpty {
                rids = simulcast.send.compactMap { $0.first?.rid }
                media.rids = rids.map { SDPRid(id: $0, direction: .recv) }
                media.simulcast = SDPSimulcast(receive: rids.map { [SDPSimulcast.Alternative(rid: $0)] })
            }
            answer.media.append(media)
            accepted.append(PublishedMedia(
                mid: mid, kind: section.kind,
                codec: NegotiatedCodec(payloadType: codec.payloadType, name: codec.encodingName, clockRate: codec.clockRate,
                                       channels: codec.channels,
                                       formatParameters: section.formatParameters(for: codec.payloadType)?.value,
                                       rtxPayloadType: rtx?.payloadType),
                ssrcs: mediaSSRCs(of: section), rtxSSRCs: rtxSSRCs(of: section), rids: rids,
                extensionIDs: RTPExtensionIDs(media.extmaps), msid: section.msids.first))
        }
        guard !accepted.isEmpty else {
            throw NegotiationError(.noUsableMedia, "no m-section offers Opus, VP8 or H.264 (packetization-mode=1) to send")
        }
        var bundled = accepted.map(\.mid)
        // The offer's BUNDLE tag (its first mid) carries the offerer's only transport under
        // `max-bundle`: Chromium 156 cannot apply an answer that rejects it with port 0 ("Failed
        // to setup RTCP mux" on the next m-section). Such a tag stays in the bundle, `inactive`,
        // with no track (RFC 8843 §7.3.3 lets the answerer pick another tag; this keeps it).
        if let tag = bundle.first, rejected.contains(tag), let index = offer.media.firstIndex(where: { $0.mid == tag }),
           offer.media[index].port != 0, !offer.media[index].formats.isEmpty {
            answer.media[index] = inactiveSection(offer.media[index], transport: transport)
            bundled.insert(tag, at: 0)
        }
        answer.groups = [SDPGroup(semantics: SDPGroup.bundleSemantics, mids: bundled)]
        return PublishAnswer(sdp: answer, media: accepted, rejectedMids: rejected)
    }

    /// The preferred accepted codec of an m-section and the RTX format that repairs it.
    static func chooseCodec(in section: MediaDescription) -> (SDPRTPMap, SDPRTPMap?)? {
        var best: (SDPRTPMap, Int)?
        for format in section.formats {
            guard let pt = UInt8(format), let rtpMap = section.rtpMap(for: pt) else { continue }
            let parameters = section.formatParameters(for: pt)?.parameters ?? [:]
            guard SFUCapabilities.accepts(rtpMap, parameters: parameters) else { continue }
            let rank = SFUCapabilities.rank(rtpMap, parameters: parameters)
            if best == nil || rank < best!.1 { best = (rtpMap, rank) }
        }
        guard let (codec, _) = best else { return nil }
        let rtx = section.rtpMaps.first { map in
            map.encodingName.lowercased() == "rtx"
                && section.formatParameters(for: map.payloadType)?.parameters["apt"] == String(codec.payloadType)
        }
        return (codec, rtx)
    }

    static func rejectedSection(_ section: MediaDescription) -> MediaDescription {
        var media = MediaDescription(kind: section.kind, port: 0, proto: section.proto,
                                     formats: [section.formats.first ?? "0"])
        media.connection = SDPConnection(address: "0.0.0.0")
        media.mid = section.mid
        media.direction = .inactive
        return media
    }

    /// An m-section kept in the bundle without media: `inactive`, the offer's first format only.
    static func inactiveSection(_ section: MediaDescription, transport: TransportDescription) -> MediaDescription {
        let format = section.formats[0]
        var media = MediaDescription(kind: section.kind, port: 9, proto: section.proto, formats: [format])
        transport.apply(to: &media, setup: .passive)
        media.mid = section.mid
        media.direction = .inactive
        if let pt = UInt8(format), let rtpMap = section.rtpMap(for: pt) {
            media.rtpMaps = [rtpMap]
            if let fmtp = section.formatParameters(for: pt) { media.formatParameters = [fmtp] }
        }
        return media
    }

    static func mediaSSRCs(of section: MediaDescription) -> [UInt32] {
        let fid = section.ssrcGroups.filter { $0.semantics == "FID" }
        let repairs = Set(fid.compactMap { $0.ssrcs.count == 2 ? $0.ssrcs[1] : nil })
        var seen: [UInt32] = []
        for line in section.ssrcs where !repairs.contains(line.ssrc) && !seen.contains(line.ssrc) {
            seen.append(line.ssrc)
        }
        return seen
    }

    static func rtxSSRCs(of section: MediaDescription) -> [UInt32: UInt32] {
        var result: [UInt32: UInt32] = [:]
        for group in section.ssrcGroups where group.semantics == "FID" && group.ssrcs.count == 2 {
            result[group.ssrcs[0]] = group.ssrcs[1]
        }
        return result
    }
}

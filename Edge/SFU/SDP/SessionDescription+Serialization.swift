/// Writing the model as SDP text (RFC 8866 §5), CRLF line ends, in the order Chromium uses:
/// transport lines (candidates, ICE, DTLS) first, then mid, extmaps, direction, msid, RTCP, one
/// block per payload type (rtpmap, rtcp-fb, fmtp), simulcast, SSRCs, then other attributes.
extension SessionDescription {
    /// The description as SDP text.
    public func serialized() -> String {
        var lines: [String] = []
        lines.append("v=0")
        lines.append("o=\(origin.sdpValue)")
        lines.append("s=\(sessionName)")
        if let connection { lines.append("c=\(connection.sdpValue)") }
        lines.append("t=\(timing)")
        if iceLite { lines.append("a=ice-lite") }
        if let iceUfrag { lines.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePassword { lines.append("a=ice-pwd:\(icePassword)") }
        lines += fingerprints.map { "a=fingerprint:\($0.sdpValue)" }
        if let setup { lines.append("a=setup:\(setup.sdpValue)") }
        lines += groups.map { "a=group:\($0.sdpValue)" }
        if extmapAllowMixed { lines.append("a=extmap-allow-mixed") }
        lines += extmaps.map { "a=extmap:\($0.sdpValue)" }
        lines += attributes.map { "a=\($0.line)" }
        for section in media {
            section.appendLines(to: &lines)
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

extension MediaDescription {
    func appendLines(to lines: inout [String]) {
        let port = "\(self.port)" + (portCount.map { "/\($0)" } ?? "")
        lines.append((["m=\(kind)", port, proto] + formats).joined(separator: " "))
        if let connection { lines.append("c=\(connection.sdpValue)") }
        lines += bandwidths.map { "b=\($0)" }
        lines += candidates.map { "a=candidate:\($0.sdpValue)" }
        if endOfCandidates { lines.append("a=end-of-candidates") }
        if let iceUfrag { lines.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePassword { lines.append("a=ice-pwd:\(icePassword)") }
        lines += fingerprints.map { "a=fingerprint:\($0.sdpValue)" }
        if let setup { lines.append("a=setup:\(setup.sdpValue)") }
        if let mid { lines.append("a=mid:\(mid)") }
        lines += extmaps.map { "a=extmap:\($0.sdpValue)" }
        if let direction { lines.append("a=\(direction.rawValue)") }
        lines += msids.map { "a=msid:\($0)" }
        if rtcpMux { lines.append("a=rtcp-mux") }
        if rtcpReducedSize { lines.append("a=rtcp-rsize") }
        lines += rtcpFeedback.filter { $0.payloadType == nil }.map { "a=rtcp-fb:\($0.sdpValue)" }
        // One block per payload type: those of the m= line in its order, then any others.
        var payloadTypes = formats.compactMap { UInt8($0) }
        for payloadType in rtpMaps.map(\.payloadType) + formatParameters.map(\.payloadType)
            + rtcpFeedback.compactMap(\.payloadType) where !payloadTypes.contains(payloadType) {
            payloadTypes.append(payloadType)
        }
        for payloadType in payloadTypes {
            lines += rtpMaps.filter { $0.payloadType == payloadType }.map { "a=rtpmap:\($0.sdpValue)" }
            lines += rtcpFeedback.filter { $0.payloadType == payloadType }.map { "a=rtcp-fb:\($0.sdpValue)" }
            lines += formatParameters.filter { $0.payloadType == payloadType }.map { "a=fmtp:\($0.sdpValue)" }
        }
        lines += rids.map { "a=rid:\($0.sdpValue)" }
        if let simulcast { lines.append("a=simulcast:\(simulcast.sdpValue)") }
        lines += ssrcGroups.map { "a=ssrc-group:\($0.sdpValue)" }
        lines += ssrcs.map { "a=ssrc:\($0.sdpValue)" }
        lines += attributes.map { "a=\($0.line)" }
    }
}

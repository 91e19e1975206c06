/// Applies one `a=` line to the session or to a media section: typed where the model has a
/// field, verbatim in `attributes` otherwise.
enum SDPAttributeReader {
    typealias Attribute = (name: Substring, value: Substring?)

    static func apply(_ attribute: Attribute, to session: inout SessionDescription,
                      lineNumber: Int) throws(SDPParseError) {
        switch attribute.name {
        case "ice-lite": session.iceLite = true
        case "ice-ufrag": session.iceUfrag = try text(attribute, lineNumber)
        case "ice-pwd": session.icePassword = try text(attribute, lineNumber)
        case "fingerprint": session.fingerprints.append(try typed(SDPFingerprint.self, attribute, lineNumber))
        case "setup": session.setup = try typed(SDPSetupRole.self, attribute, lineNumber)
        case "group": session.groups.append(try typed(SDPGroup.self, attribute, lineNumber))
        case "extmap-allow-mixed": session.extmapAllowMixed = true
        case "extmap": session.extmaps.append(try typed(SDPExtMap.self, attribute, lineNumber))
        default: session.attributes.append(verbatim(attribute))
        }
    }

    static func apply(_ attribute: Attribute, to section: inout MediaDescription,
                      lineNumber: Int) throws(SDPParseError) {
        switch attribute.name {
        case "mid": section.mid = try text(attribute, lineNumber)
        case "sendrecv", "sendonly", "recvonly", "inactive":
            section.direction = SDPDirection(rawValue: String(attribute.name))
        case "ice-ufrag": section.iceUfrag = try text(attribute, lineNumber)
        case "ice-pwd": section.icePassword = try text(attribute, lineNumber)
        case "fingerprint": section.fingerprints.append(try typed(SDPFingerprint.self, attribute, lineNumber))
        case "setup": section.setup = try typed(SDPSetupRole.self, attribute, lineNumber)
        case "candidate": section.candidates.append(try typed(SDPCandidate.self, attribute, lineNumber))
        case "end-of-candidates": section.endOfCandidates = true
        case "extmap": section.extmaps.append(try typed(SDPExtMap.self, attribute, lineNumber))
        case "msid": section.msids.append(try text(attribute, lineNumber))
        case "rtcp-mux": section.rtcpMux = true
        case "rtcp-rsize": section.rtcpReducedSize = true
        case "rtpmap": section.rtpMaps.append(try typed(SDPRTPMap.self, attribute, lineNumber))
        case "fmtp": section.formatParameters.append(try typed(SDPFormatParameters.self, attribute, lineNumber))
        case "rtcp-fb": section.rtcpFeedback.append(try typed(SDPRTCPFeedback.self, attribute, lineNumber))
        case "rid": section.rids.append(try typed(SDPRid.self, attribute, lineNumber))
        case "simulcast": section.simulcast = try typed(SDPSimulcast.self, attribute, lineNumber)
        case "ssrc-group": section.ssrcGroups.append(try typed(SDPSSRCGroup.self, attribute, lineNumber))
        case "ssrc": section.ssrcs.append(try typed(SDPSSRC.self, attribute, lineNumber))
        default: section.attributes.append(verbatim(attribute))
        }
    }

    private static func typed<Value: SDPAttributeValue>(_ type: Value.Type, _ attribute: Attribute,
                                                        _ lineNumber: Int) throws(SDPParseError) -> Value {
        guard let value = attribute.value, let parsed = Value(sdpValue: value) else {
            throw SDPParseError(.badAttribute, line: lineNumber,
                                "a=\(attribute.name.prefix(40)): malformed value '\((attribute.value ?? "").prefix(80))'")
        }
        return parsed
    }

    private static func text(_ attribute: Attribute, _ lineNumber: Int) throws(SDPParseError) -> String {
        guard let value = attribute.value, !value.isEmpty else {
            throw SDPParseError(.badAttribute, line: lineNumber, "a=\(attribute.name.prefix(40)) needs a value")
        }
        return String(value)
    }

    private static func verbatim(_ attribute: Attribute) -> SDPAttribute {
        SDPAttribute(name: String(attribute.name), value: attribute.value.map(String.init))
    }
}

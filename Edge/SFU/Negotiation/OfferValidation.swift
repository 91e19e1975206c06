/// The checks every client SDP passes before the SFU uses it: a peer connection the SFU can
/// serve on its one ICE-lite/DTLS transport.
enum OfferValidation {
    static func check(_ sdp: SessionDescription, requireSetupOffer: Bool) throws(NegotiationError) {
        guard !sdp.media.isEmpty else { throw NegotiationError(.incomplete, "no m-section") }
        for (index, section) in sdp.media.enumerated() where section.port != 0 {
            guard let mid = section.mid, !mid.isEmpty else {
                throw NegotiationError(.incomplete, "m-section \(index) has no a=mid")
            }
            guard let credentials = sdp.iceCredentials(of: section), credentials.ufrag.utf8.count >= 4,
                  credentials.password.utf8.count >= 22
            else { throw NegotiationError(.incomplete, "m-section \(mid): missing or short a=ice-ufrag/a=ice-pwd") }
            guard !sdp.fingerprints(of: section).isEmpty else {
                throw NegotiationError(.incomplete, "m-section \(mid): no a=fingerprint")
            }
            guard section.rtcpMux else { throw NegotiationError(.incomplete, "m-section \(mid): a=rtcp-mux is required") }
            let setup = section.setup ?? sdp.setup
            if requireSetupOffer {
                guard setup == .actpass || setup == .active else {
                    throw NegotiationError(.incomplete, "m-section \(mid): a=setup must be actpass or active (the edge is the DTLS server)")
                }
            } else {
                guard setup == .active else {
                    throw NegotiationError(.incomplete, "m-section \(mid): a=setup must be active in an answer to the edge")
                }
            }
        }
        guard sdp.bundleMids?.isEmpty == false else { throw NegotiationError(.incomplete, "a=group:BUNDLE is required") }
    }
}

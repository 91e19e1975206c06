/// What the edge puts in its SDP for one transport (RFC 8839 ICE attributes, RFC 8122
/// fingerprints, RFC 4145/5763 setup): the answer or offer builder copies these into every
/// bundled m-section, with `a=ice-lite` at session level.
public struct LocalTransportParameters: Hashable, Sendable {
    /// `a=ice-ufrag` / `a=ice-pwd`: random per transport; the ufrag routes the peer's STUN.
    public var ice: IceCredentials
    /// `a=fingerprint` lines of the edge's DTLS certificate (sha-256).
    public var fingerprints: [SDPFingerprint]
    /// `a=candidate` lines: one UDP host candidate per announced address, then one TCP
    /// passive candidate per address when ICE-TCP is on (RFC 6544), with lower priority.
    public var candidates: [SDPCandidate]
    /// `a=setup`: `passive` in answers (the edge is the DTLS server); an offer from the edge
    /// writes `actpass` instead, and the transport follows the answer's choice.
    public var setup: SDPSetupRole
    /// Always true: the edge is an ICE-lite agent (RFC 8445 §2.5; `a=ice-lite`).
    public var iceLite: Bool

    public init(ice: IceCredentials, fingerprints: [SDPFingerprint], candidates: [SDPCandidate],
                setup: SDPSetupRole = .passive, iceLite: Bool = true) {
        self.ice = ice
        self.fingerprints = fingerprints
        self.candidates = candidates
        self.setup = setup
        self.iceLite = iceLite
    }
}

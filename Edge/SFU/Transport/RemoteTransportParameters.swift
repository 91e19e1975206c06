/// The peer's transport attributes, from its offer or answer: ICE credentials, DTLS
/// fingerprints (any number; the transport checks the one whose algorithm it supports),
/// and its `a=setup` role, which decides the edge's DTLS role.
public struct RemoteTransportParameters: Hashable, Sendable {
    public var ufrag: String
    public var password: String
    public var fingerprints: [SDPFingerprint]
    /// `active` (peer is the DTLS client: the edge serves), `passive` (the edge connects),
    /// `actpass` (treated as active: the edge serves, RFC 5763 §5 lets the answerer choose).
    public var setup: SDPSetupRole

    public init(ufrag: String, password: String, fingerprints: [SDPFingerprint], setup: SDPSetupRole) {
        self.ufrag = ufrag
        self.password = password
        self.fingerprints = fingerprints
        self.setup = setup
    }

    /// The transport attributes of `description`'s first bundled (else first) m-section, with
    /// session-level fallbacks; nil when ICE credentials are missing.
    public init?(_ description: SessionDescription) {
        let first = description.bundleMids?.first.flatMap { description.media(withMid: $0) } ?? description.media.first
        guard let section = first, let ice = description.iceCredentials(of: section) else { return nil }
        self.init(ufrag: ice.ufrag, password: ice.password, fingerprints: description.fingerprints(of: section),
                  setup: section.setup ?? description.setup ?? .active)
    }
}

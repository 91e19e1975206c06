/// The edge side of a peer connection as SDP shows it: ICE-lite credentials, DTLS fingerprints,
/// host candidates. Built from the transport's local parameters.
public struct TransportDescription: Hashable, Sendable {
    public var iceUfrag: String
    public var icePassword: String
    public var fingerprints: [SDPFingerprint]
    /// Host candidates (UDP per announced address, passive TCP).
    public var candidates: [SDPCandidate]

    public init(iceUfrag: String, icePassword: String, fingerprints: [SDPFingerprint], candidates: [SDPCandidate]) {
        self.iceUfrag = iceUfrag
        self.icePassword = icePassword
        self.fingerprints = fingerprints
        self.candidates = candidates
    }

    /// The `m=` port and `c=` address: the first UDP candidate's (RFC 8839 §5.1: the default candidate).
    var defaultAddress: (address: String, port: UInt16) {
        let first = candidates.first { $0.transport.lowercased() == "udp" } ?? candidates.first
        return (first?.address ?? "0.0.0.0", first?.port ?? 9)
    }

    /// Writes the transport lines into one m-section.
    func apply(to media: inout MediaDescription, setup: SDPSetupRole) {
        let (address, port) = defaultAddress
        media.port = port
        media.connection = SDPConnection(addressType: address.contains(":") ? "IP6" : "IP4", address: address)
        media.candidates = candidates
        media.endOfCandidates = true
        media.iceUfrag = iceUfrag
        media.icePassword = icePassword
        media.fingerprints = fingerprints
        media.setup = setup
        media.rtcpMux = true
    }
}

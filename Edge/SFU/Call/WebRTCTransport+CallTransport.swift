import NIOCore

/// The media transport as the call model drives it.
extension WebRTCTransport: CallTransport {
    public var localDescription: TransportDescription {
        TransportDescription(iceUfrag: local.ice.ufrag, icePassword: local.ice.password, fingerprints: local.fingerprints,
                             candidates: local.candidates)
    }

    /// Starts ICE/DTLS with the client's side as its SDP describes it (the first bundled m-section).
    public func start(remote sdp: SessionDescription, section: MediaDescription) {
        guard let credentials = sdp.iceCredentials(of: section) else { return }
        start(remote: RemoteTransportParameters(ufrag: credentials.ufrag, password: credentials.password,
                                                fingerprints: sdp.fingerprints(of: section),
                                                setup: section.setup ?? sdp.setup ?? .active))
    }

    public func attach(to participant: Participant<WebRTCTransport>) {
        delegate = participant
    }
}

/// A participant hears its two transports: packets go to its call, a closed transport
/// (consent expired, DTLS failed, fingerprint mismatch) makes it leave.
extension Participant: WebRTCTransportDelegate where Transport == WebRTCTransport {
    public func transportDidConnect(_ transport: WebRTCTransport) {}

    public func transport(_ transport: WebRTCTransport, didReceiveRTP packet: ByteBuffer) {
        // Subscribers send no media on `sub`.
        guard transport === pub else { return }
        call?.publishedRTP(self, packet)
    }

    public func transport(_ transport: WebRTCTransport, didReceiveRTCP packet: ByteBuffer) {
        if transport === pub {
            call?.publishedRTCP(self, packet)
        } else {
            call?.subscriberRTCP(self, packet)
        }
    }

    public func transport(_ transport: WebRTCTransport, didClose reason: TransportCloseReason) {
        // A connection the client never used (no offer on `pub` yet, no answer on `sub` yet)
        // expires after the consent timeout without checks; that is no reason to leave (a
        // participant may only listen, or be alone). Known limit: such a connection cannot
        // be used later (it is not replaced).
        let used = transport === pub ? publishStarted : subscribeStarted
        guard used else { return }
        call?.leave(id, reason: "media connection \(transport === pub ? "pub" : "sub") closed: \(reason)")
    }
}

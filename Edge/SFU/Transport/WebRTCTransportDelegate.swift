import NIOCore

/// What a `WebRTCTransport` reports upward (to its participant in the call model). Every
/// callback arrives on the transport's event loop.
public protocol WebRTCTransportDelegate: AnyObject {
    /// ICE selected a pair, DTLS completed, the peer's certificate matched its SDP
    /// fingerprint and the SRTP sessions exist: media can flow both ways.
    func transportDidConnect(_ transport: WebRTCTransport)
    /// An RTP packet from the peer, already unprotected (SRTP verified and decrypted). The
    /// buffer is the transport's reused one: keeping it is allowed (copy-on-write) but makes
    /// the next packet allocate, so copy what must outlive the call into a buffer of your own.
    func transport(_ transport: WebRTCTransport, didReceiveRTP packet: ByteBuffer)
    /// A (compound or reduced-size) RTCP packet from the peer, already unprotected.
    func transport(_ transport: WebRTCTransport, didReceiveRTCP packet: ByteBuffer)
    /// The transport closed by itself (consent expired, DTLS failed, fingerprint mismatch,
    /// peer's close_notify, server shutdown). Called at most once, never for `close()`.
    func transport(_ transport: WebRTCTransport, didClose reason: TransportCloseReason)
}

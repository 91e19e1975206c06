import NIOCore

/// The sending side of a peer connection as the call model drives it. `WebRTCTransport`
/// (Edge/SFU/Transport) conforms; unit tests use a recording double. The call model is generic
/// over it, so the packet path calls it directly (no existential).
public protocol CallTransport: AnyObject {
    /// The edge side as SDP shows it (ICE-lite credentials, fingerprints, host candidates).
    var localDescription: TransportDescription { get }
    /// Starts ICE/DTLS with the client's side of the connection, from its SDP (offer on
    /// `pub`, answer on `sub`); later calls (renegotiations) are ignored by the transport.
    func start(remote sdp: SessionDescription, section: MediaDescription)
    /// Plaintext RTP in; the transport protects and sends it.
    func sendRTP(_ packet: inout ByteBuffer)
    /// Plaintext compound RTCP in.
    func sendRTCP(_ packet: inout ByteBuffer)
    func close()
    /// The participant that receives this transport's packets and events from now on.
    func attach(to participant: Participant<Self>)
}

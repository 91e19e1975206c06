/// Why a `WebRTCTransport` closed. Extensible: new reasons are added as static members.
public struct TransportCloseReason: Hashable, Sendable, CustomStringConvertible {
    /// A stable, lowercase identifier (also the `reason` label of the close metric).
    public let code: String
    /// Human-readable detail for logs (e.g. OpenSSL's error text).
    public var detail: String

    public init(code: String, detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// No valid STUN check for the consent timeout (30 s, RFC 7675 §5.1), before or after
    /// connecting.
    public static let consentExpired = TransportCloseReason(code: "consent-expired")
    /// The DTLS handshake failed or timed out, or keys could not be exported.
    public static func dtlsFailed(_ detail: String) -> TransportCloseReason {
        TransportCloseReason(code: "dtls-failed", detail: detail)
    }
    /// The peer's DTLS certificate matches none of the fingerprints of its SDP (RFC 8122 §5).
    public static let fingerprintMismatch = TransportCloseReason(code: "fingerprint-mismatch")
    /// The remote parameters are unusable (no ufrag, no supported fingerprint, bad setup role).
    public static func invalidRemoteParameters(_ detail: String) -> TransportCloseReason {
        TransportCloseReason(code: "invalid-remote-parameters", detail: detail)
    }
    /// The peer sent a DTLS close_notify.
    public static let closedByPeer = TransportCloseReason(code: "closed-by-peer")
    /// The `MediaServer` shut down.
    public static let serverShutdown = TransportCloseReason(code: "server-shutdown")
    /// `close()` was called (never delivered to the delegate: the caller knows).
    public static let closed = TransportCloseReason(code: "closed")

    public static func == (lhs: TransportCloseReason, rhs: TransportCloseReason) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { detail.isEmpty ? code : "\(code): \(detail)" }
}

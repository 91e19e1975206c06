/// A session description (RFC 8866): the session part and its media sections, as offers and
/// answers carry them over the `rtc.offer`/`rtc.answer` signaling (DESIGN.md "Conference
/// signaling").
///
/// `SessionDescription.parse` reads text (CRLF or LF line ends) and throws an `SDPParseError`
/// with a line number and a reason on malformed input; it is total and never traps.
/// `serialized()` writes CRLF text in the order browsers use. Parsing a serialized description
/// gives the same model (the tests check this on every captured sample).
public struct SessionDescription: Hashable, Sendable {
    public var origin: SDPOrigin
    public var sessionName: String
    public var connection: SDPConnection?
    /// The `t=` value verbatim (`0 0` for WebRTC).
    public var timing: String
    /// `a=ice-lite` (RFC 8839 §5.3; session level only).
    public var iceLite = false
    /// Session-level ICE credentials (browsers put them in each m-section instead).
    public var iceUfrag: String?
    public var icePassword: String?
    public var fingerprints: [SDPFingerprint] = []
    public var setup: SDPSetupRole?
    public var groups: [SDPGroup] = []
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    public var extmapAllowMixed = false
    public var extmaps: [SDPExtMap] = []
    /// Session attributes not interpreted here, in order (`msid-semantic`, `ice-options`, …).
    public var attributes: [SDPAttribute] = []
    public var media: [MediaDescription] = []

    public init(origin: SDPOrigin, sessionName: String = "-", timing: String = "0 0") {
        self.origin = origin
        self.sessionName = sessionName
        self.timing = timing
    }

    /// The mids of the first `a=group:BUNDLE`, if any (RFC 9143).
    public var bundleMids: [String]? {
        groups.first { $0.semantics == SDPGroup.bundleSemantics }?.mids
    }

    /// The media section with `mid`.
    public func media(withMid mid: String) -> MediaDescription? {
        media.first { $0.mid == mid }
    }

    /// The ICE credentials that apply to `section`: its own, else the session's.
    public func iceCredentials(of section: MediaDescription) -> (ufrag: String, password: String)? {
        guard let ufrag = section.iceUfrag ?? iceUfrag, let password = section.icePassword ?? icePassword
        else { return nil }
        return (ufrag, password)
    }

    /// The fingerprints that apply to `section`: its own, else the session's.
    public func fingerprints(of section: MediaDescription) -> [SDPFingerprint] {
        section.fingerprints.isEmpty ? fingerprints : section.fingerprints
    }
}

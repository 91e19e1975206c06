/// ICE username fragment and password of one side of a peer connection (RFC 8445 §5.3,
/// SDP `a=ice-ufrag`/`a=ice-pwd` RFC 8839 §5.4: ufrag ≥ 4 and pwd ≥ 22 characters).
public struct IceCredentials: Hashable, Sendable {
    public var ufrag: String
    public var password: String

    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    /// The MESSAGE-INTEGRITY key: the password's UTF-8 bytes (short-term credentials,
    /// RFC 8489 §9.1.1; ICE passwords are ASCII, so SASLprep changes nothing).
    public var integrityKey: [UInt8] {
        Array(password.utf8)
    }

    /// Random credentials from the ICE character set (`ice-char`: ALPHA / DIGIT / "+" / "/",
    /// RFC 8839 §5.4): 8-character ufrag, 24-character password, from `generator` (use a
    /// cryptographically secure one outside tests).
    public static func random(using generator: inout some RandomNumberGenerator) -> IceCredentials {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        func draw(_ count: Int) -> String {
            String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        }
        return IceCredentials(ufrag: draw(8), password: draw(24))
    }
}

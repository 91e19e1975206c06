/// The SRTP master keys of one DTLS-SRTP association, split by direction
/// (RFC 5764 §4.2): what this endpoint protects with, and what it unprotects with.
public struct SRTPKeyingMaterial: Sendable, Hashable {
    /// The negotiated protection profile.
    public let profile: SRTPProfile
    /// Master key followed by master salt for packets this endpoint sends.
    public let localMasterKey: [UInt8]
    /// Master key followed by master salt for packets this endpoint receives.
    public let remoteMasterKey: [UInt8]

    /// Splits the `EXTRACTOR-dtls_srtp` exporter output, laid out as
    /// client key | server key | client salt | server salt (RFC 5764 §4.2).
    /// - Parameter isClient: whether this endpoint was the DTLS client.
    init(profile: SRTPProfile, exported: [UInt8], isClient: Bool) {
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        precondition(exported.count == 2 * (keyLength + saltLength), "exporter output has the wrong size")
        let clientKey = exported[0..<keyLength]
        let serverKey = exported[keyLength..<(2 * keyLength)]
        let clientSalt = exported[(2 * keyLength)..<(2 * keyLength + saltLength)]
        let serverSalt = exported[(2 * keyLength + saltLength)...]
        let client = Array(clientKey + clientSalt)
        let server = Array(serverKey + serverSalt)
        self.profile = profile
        self.localMasterKey = isClient ? client : server
        self.remoteMasterKey = isClient ? server : client
    }

    /// The total exporter output length needed for `profile`.
    static func exportLength(for profile: SRTPProfile) -> Int {
        2 * (profile.masterKeyLength + profile.masterSaltLength)
    }
}

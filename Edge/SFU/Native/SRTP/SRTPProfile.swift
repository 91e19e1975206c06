internal import CSRTP

/// A DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2), identified by its
/// IANA value. Only the profiles WebRTC uses have static members; others are representable
/// through `init(id:)` for logging but rejected by `SRTPSession`.
public struct SRTPProfile: Hashable, Sendable, CustomStringConvertible {
    /// The IANA "DTLS-SRTP Protection Profile" value carried in the `use_srtp` extension.
    public let id: UInt16

    /// Creates a profile from its IANA value.
    public init(id: UInt16) {
        self.id = id
    }

    /// SRTP_AES128_CM_HMAC_SHA1_80 (0x0001): AES-128 counter mode, 80-bit HMAC-SHA1 tag.
    public static let aes128CMHMACSHA1_80 = SRTPProfile(id: 0x0001)
    /// SRTP_AEAD_AES_128_GCM (0x0007): AES-128-GCM with a 16-byte tag (RFC 7714).
    public static let aeadAES128GCM = SRTPProfile(id: 0x0007)

    /// The profile name OpenSSL uses in `SSL_CTX_set_tlsext_use_srtp`.
    public var openSSLName: String {
        switch id {
        case 0x0001: "SRTP_AES128_CM_SHA1_80"
        case 0x0002: "SRTP_AES128_CM_SHA1_32"
        case 0x0007: "SRTP_AEAD_AES_128_GCM"
        case 0x0008: "SRTP_AEAD_AES_256_GCM"
        default: "UNKNOWN_0x\(String(id, radix: 16))"
        }
    }

    /// Whether `SRTPSession` supports this profile.
    public var isSupported: Bool {
        self == .aes128CMHMACSHA1_80 || self == .aeadAES128GCM
    }

    /// Length in bytes of the master key (without salt).
    public var masterKeyLength: Int {
        Int(srtp_profile_get_master_key_length(libsrtpProfile))
    }

    /// Length in bytes of the master salt.
    public var masterSaltLength: Int {
        Int(srtp_profile_get_master_salt_length(libsrtpProfile))
    }

    /// libsrtp's `srtp_profile_t`, whose raw values are the IANA ones.
    var libsrtpProfile: srtp_profile_t {
        srtp_profile_t(rawValue: UInt32(id))
    }

    public var description: String { openSSLName }
}

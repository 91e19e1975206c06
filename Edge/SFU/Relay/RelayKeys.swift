import Crypto
import Foundation
import StreamLySFUNative

/// The keys of one relay link, derived with HKDF-SHA256 (RFC 5869) from the cluster secret, the
/// initiator's and responder's nonces (salt) and the call (info). Each direction has its own
/// SRTP master key + salt (AES_CM_128_HMAC_SHA1_80, RFC 3711) and state-message key
/// (AES-128-GCM), so neither side ever protects with the key it unprotects with.
public struct RelayKeys: Sendable {
    public static let profile = SRTPProfile.aes128CMHMACSHA1_80
    static let srtpLength = 30
    static let stateLength = 16

    public var sendSRTP: [UInt8]
    public var receiveSRTP: [UInt8]
    public var sendState: SymmetricKey
    public var receiveState: SymmetricKey

    /// The key of `hello`/`helloAck` MACs.
    public static func helloKey(secret: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)),
                               info: Array("streamly relay hello v1".utf8), outputByteCount: 32)
    }

    public init(secret: String, initiatorNonce: [UInt8], responderNonce: [UInt8], call: String, isInitiator: Bool) {
        let material = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)),
                                              salt: initiatorNonce + responderNonce,
                                              info: Array("streamly relay v1 ".utf8) + Array(call.utf8),
                                              outputByteCount: 2 * (Self.srtpLength + Self.stateLength))
        let bytes = material.withUnsafeBytes { Array($0) }
        let forward = Array(bytes[0..<30])
        let backward = Array(bytes[30..<60])
        let forwardState = SymmetricKey(data: bytes[60..<76])
        let backwardState = SymmetricKey(data: bytes[76..<92])
        sendSRTP = isInitiator ? forward : backward
        receiveSRTP = isInitiator ? backward : forward
        sendState = isInitiator ? forwardState : backwardState
        receiveState = isInitiator ? backwardState : forwardState
    }
}

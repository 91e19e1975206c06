/// The value of an ERROR-CODE attribute (RFC 8489 §14.8): a code 300–699 and a reason phrase.
///
/// A struct with static members for the codes ICE-lite answers with.
public struct StunErrorCode: Hashable, Sendable {
    /// `class * 100 + number`.
    public var code: UInt16
    /// UTF-8 reason phrase, at most 763 bytes (RFC 8489 §14.8).
    public var reason: String

    public init(code: UInt16, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 400 Bad Request: a malformed request, or one missing a required attribute (RFC 8489 §9.1.3).
    public static let badRequest = StunErrorCode(code: 400, reason: "Bad Request")
    /// 401 Unauthenticated (RFC 8489 §9.1.3).
    public static let unauthenticated = StunErrorCode(code: 401, reason: "Unauthenticated")
    /// 420 Unknown Attribute (RFC 8489 §14.8).
    public static let unknownAttribute = StunErrorCode(code: 420, reason: "Unknown Attribute")
    /// 487 Role Conflict (RFC 8445 §7.3.1.1).
    public static let roleConflict = StunErrorCode(code: 487, reason: "Role Conflict")
    /// 500 Server Error.
    public static let serverError = StunErrorCode(code: 500, reason: "Server Error")
}

import NIOCore

/// Settings of an ICE-lite agent; defaults follow the RFCs.
public struct IceLiteConfiguration: Sendable, Hashable {
    /// Silence after which consent is lost and the peer is gone (RFC 7675 §5.1: 30 s).
    public var consentTimeout: TimeAmount
    /// Reject requests carrying comprehension-required attributes this agent does not know
    /// with 420 (RFC 8489 §7.3.1). On by default.
    public var rejectUnknownRequiredAttributes: Bool

    public init(consentTimeout: TimeAmount = .seconds(30), rejectUnknownRequiredAttributes: Bool = true) {
        self.consentTimeout = consentTimeout
        self.rejectUnknownRequiredAttributes = rejectUnknownRequiredAttributes
    }
}

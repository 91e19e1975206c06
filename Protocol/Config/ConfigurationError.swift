/// A configuration that cannot run: an unreadable or malformed file, a value out of its
/// range, a missing or contradictory setting. The one configuration error type of both
/// tiers; the message names the key and what it must be.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

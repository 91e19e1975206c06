/// Media direction attributes (RFC 8866 §6.7): `a=sendrecv`, `a=sendonly`, `a=recvonly`,
/// `a=inactive`.
public struct SDPDirection: Hashable, Sendable, RawRepresentable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let sendrecv = SDPDirection(rawValue: "sendrecv")
    public static let sendonly = SDPDirection(rawValue: "sendonly")
    public static let recvonly = SDPDirection(rawValue: "recvonly")
    public static let inactive = SDPDirection(rawValue: "inactive")

    /// The four attribute names that are directions.
    static let all: Set<String> = ["sendrecv", "sendonly", "recvonly", "inactive"]

    /// The direction an answerer uses for this offered one (RFC 8866 §6.7, RFC 3264 §6.1).
    public var reversed: SDPDirection {
        switch self {
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        default: return self
        }
    }
}

/// The type byte of a frame header (see `Protocol/README.md`, "Frame types").
///
/// A struct with static members rather than an enum, so that a value this
/// implementation does not know is still representable and can be reported.
public struct LinkFrameType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Returns nil for a type byte that version 1 does not define.
    public init?(encoded: UInt8) {
        switch encoded {
        case 0x01...0x04, 0x10...0x15, 0x20...0x21: self.init(rawValue: encoded)
        default: return nil
        }
    }

    public static let hello = LinkFrameType(rawValue: 0x01)
    public static let welcome = LinkFrameType(rawValue: 0x02)
    public static let auth = LinkFrameType(rawValue: 0x03)
    public static let authOK = LinkFrameType(rawValue: 0x04)
    public static let request = LinkFrameType(rawValue: 0x10)
    public static let response = LinkFrameType(rawValue: 0x11)
    public static let data = LinkFrameType(rawValue: 0x12)
    public static let reset = LinkFrameType(rawValue: 0x13)
    public static let windowUpdate = LinkFrameType(rawValue: 0x14)
    public static let message = LinkFrameType(rawValue: 0x15)
    public static let ping = LinkFrameType(rawValue: 0x20)
    public static let goAway = LinkFrameType(rawValue: 0x21)

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .auth: "AUTH"
        case .authOK: "AUTH_OK"
        case .request: "REQUEST"
        case .response: "RESPONSE"
        case .data: "DATA"
        case .reset: "RESET"
        case .windowUpdate: "WINDOW_UPDATE"
        case .message: "MESSAGE"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        default: "0x" + String(rawValue, radix: 16)
        }
    }
}

/// Flag bits of a frame header. Senders set only the bits a frame type defines; receivers ignore the others.
public struct LinkFrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// REQUEST, RESPONSE, DATA: the sender will send no more body bytes on this stream.
    public static let endStream = LinkFrameFlags(rawValue: 0x01)
    /// PING: this frame answers a PING.
    public static let ack = LinkFrameFlags(rawValue: 0x01)
}

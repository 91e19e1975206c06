/// A 32-bit error code carried by RESET and GOAWAY frames (see `Protocol/README.md`, "Error codes").
///
/// Unknown codes are representable: a peer must treat any code it does not know
/// as `internalError`.
public struct LinkErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Graceful: a GOAWAY with this code asks the peer to drain.
    public static let noError = LinkErrorCode(rawValue: 0x0)
    /// The peer violated the protocol (bad field, frame on a wrong stream, wrong state).
    public static let protocolError = LinkErrorCode(rawValue: 0x1)
    /// The sender failed for reasons of its own.
    public static let internalError = LinkErrorCode(rawValue: 0x2)
    /// The peer sent more body bytes than the credit it was given.
    public static let flowControlError = LinkErrorCode(rawValue: 0x3)
    /// A frame's length exceeds the receiver's MAX_FRAME_SIZE, or a field's length exceeds its payload.
    public static let frameSizeError = LinkErrorCode(rawValue: 0x4)
    /// No protocol version in common.
    public static let unsupportedVersion = LinkErrorCode(rawValue: 0x5)
    /// Authentication of the peer failed (wrong cluster secret or certificate).
    public static let authFailed = LinkErrorCode(rawValue: 0x6)
    /// A frame arrived for a stream that is closed.
    public static let streamClosed = LinkErrorCode(rawValue: 0x7)
    /// The stream was refused before any processing (over MAX_CONCURRENT_STREAMS or draining); safe to retry elsewhere.
    public static let refusedStream = LinkErrorCode(rawValue: 0x8)
    /// The stream is no longer needed.
    public static let cancel = LinkErrorCode(rawValue: 0x9)
    /// Nothing was received from the peer for three heartbeat intervals.
    public static let heartbeatTimeout = LinkErrorCode(rawValue: 0xA)
    /// The peer is sending too much (frames, streams or messages over a rate limit).
    public static let enhanceYourCalm = LinkErrorCode(rawValue: 0xB)
    /// A frame type not defined by the negotiated version.
    public static let unknownFrameType = LinkErrorCode(rawValue: 0xC)
    /// The handshake did not complete in time.
    public static let handshakeTimeout = LinkErrorCode(rawValue: 0xD)

    public var description: String {
        switch self {
        case .noError: "NO_ERROR"
        case .protocolError: "PROTOCOL_ERROR"
        case .internalError: "INTERNAL_ERROR"
        case .flowControlError: "FLOW_CONTROL_ERROR"
        case .frameSizeError: "FRAME_SIZE_ERROR"
        case .unsupportedVersion: "UNSUPPORTED_VERSION"
        case .authFailed: "AUTH_FAILED"
        case .streamClosed: "STREAM_CLOSED"
        case .refusedStream: "REFUSED_STREAM"
        case .cancel: "CANCEL"
        case .heartbeatTimeout: "HEARTBEAT_TIMEOUT"
        case .enhanceYourCalm: "ENHANCE_YOUR_CALM"
        case .unknownFrameType: "UNKNOWN_FRAME_TYPE"
        case .handshakeTimeout: "HANDSHAKE_TIMEOUT"
        default: "0x" + String(rawValue, radix: 16)
        }
    }
}

import NIOCore

/// One frame of the inter-tier protocol, decoded. Each case's payload type lives
/// in its own file (`LinkFrame+Hello.swift`, …) with its `decode`/`encode`.
public enum LinkFrame: Hashable, Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case auth(Auth)
    case authOK(AuthOK)
    case request(Request)
    case response(Response)
    case data(DataChunk)
    case reset(Reset)
    case windowUpdate(WindowUpdate)
    case message(Message)
    case ping(Ping)
    case goAway(GoAway)

    /// The stream the frame belongs to (zero for connection-level frames).
    public var streamID: LinkStreamID {
        switch self {
        case .request(let f): f.streamID
        case .response(let f): f.streamID
        case .data(let f): f.streamID
        case .reset(let f): f.streamID
        case .windowUpdate(let f): f.streamID
        case .hello, .welcome, .auth, .authOK, .message, .ping, .goAway: .connection
        }
    }

    public var type: LinkFrameType {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .auth: .auth
        case .authOK: .authOK
        case .request: .request
        case .response: .response
        case .data: .data
        case .reset: .reset
        case .windowUpdate: .windowUpdate
        case .message: .message
        case .ping: .ping
        case .goAway: .goAway
        }
    }

    /// Body bytes this frame carries that count against flow-control windows.
    public var flowControlledLength: Int {
        switch self {
        case .request(let f): f.body.readableBytes
        case .response(let f): f.body.readableBytes
        case .data(let f): f.body.readableBytes
        default: 0
        }
    }
}

extension LinkFrame {
    /// Decodes a payload whose header has been read. `payload` holds exactly `header.length` bytes.
    static func decode(header: LinkFrameHeader, payload: inout ByteBuffer) throws -> LinkFrame {
        let connectionLevel: Bool
        let frame: LinkFrame
        switch header.type {
        case .hello: (frame, connectionLevel) = (.hello(try Hello.decode(from: &payload)), true)
        case .welcome: (frame, connectionLevel) = (.welcome(try Welcome.decode(from: &payload)), true)
        case .auth: (frame, connectionLevel) = (.auth(try Auth.decode(from: &payload)), true)
        case .authOK: (frame, connectionLevel) = (.authOK(try AuthOK.decode(from: &payload)), true)
        case .request: (frame, connectionLevel) = (.request(try Request.decode(header: header, from: &payload)), false)
        case .response: (frame, connectionLevel) = (.response(try Response.decode(header: header, from: &payload)), false)
        case .data: (frame, connectionLevel) = (.data(DataChunk.decode(header: header, from: &payload)), false)
        case .reset: (frame, connectionLevel) = (.reset(try Reset.decode(header: header, from: &payload)), false)
        case .windowUpdate:
            let update = try WindowUpdate.decode(header: header, from: &payload)
            return .windowUpdate(update)
        case .message: (frame, connectionLevel) = (.message(try Message.decode(from: &payload)), true)
        case .ping: (frame, connectionLevel) = (.ping(try Ping.decode(header: header, from: &payload)), true)
        case .goAway: (frame, connectionLevel) = (.goAway(try GoAway.decode(from: &payload)), true)
        default:
            throw LinkProtocolError(.unknownFrameType, "unknown frame type \(header.type)")
        }
        if connectionLevel != header.streamID.isConnection {
            throw LinkProtocolError(
                .protocolError,
                connectionLevel
                    ? "\(header.type) must be sent on stream 0, got \(header.streamID)"
                    : "\(header.type) must not be sent on stream 0"
            )
        }
        return frame
    }

    /// Writes header and payload. The caller guarantees the payload fits the peer's MAX_FRAME_SIZE.
    public func encode(into buffer: inout ByteBuffer) {
        let headerIndex = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: LinkFrameHeader.size)
        let flags: LinkFrameFlags
        switch self {
        case .hello(let f): f.encode(into: &buffer); flags = []
        case .welcome(let f): f.encode(into: &buffer); flags = []
        case .auth(let f): f.encode(into: &buffer); flags = []
        case .authOK(let f): f.encode(into: &buffer); flags = []
        case .request(let f): f.encode(into: &buffer); flags = f.endStream ? .endStream : []
        case .response(let f): f.encode(into: &buffer); flags = f.endStream ? .endStream : []
        case .data(let f): f.encode(into: &buffer); flags = f.endStream ? .endStream : []
        case .reset(let f): f.encode(into: &buffer); flags = []
        case .windowUpdate(let f): f.encode(into: &buffer); flags = []
        case .message(let f): f.encode(into: &buffer); flags = []
        case .ping(let f): f.encode(into: &buffer); flags = f.ack ? .ack : []
        case .goAway(let f): f.encode(into: &buffer); flags = []
        }
        let length = buffer.writerIndex - headerIndex - LinkFrameHeader.size
        let header = LinkFrameHeader(length: UInt32(length), type: type, flags: flags, streamID: streamID)
        header.set(in: &buffer, at: headerIndex)
    }
}

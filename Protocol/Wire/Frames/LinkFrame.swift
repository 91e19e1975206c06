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
    ///
    /// REQUEST, RESPONSE and MESSAGE (the per-request frames) know their size up front and
    /// are written in one reserved write (`LinkFrameWriter`). The others write the header
    /// with a zero length, patched by one store once the payload is written.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .request(let f): f.encodeFrame(into: &buffer)
        case .response(let f): f.encodeFrame(into: &buffer)
        case .message(let f): f.encodeFrame(into: &buffer)
        case .hello(let f): encodePatched(into: &buffer, f.encode)
        case .welcome(let f): encodePatched(into: &buffer, f.encode)
        case .auth(let f): encodePatched(into: &buffer, f.encode)
        case .authOK(let f): encodePatched(into: &buffer, f.encode)
        case .data(let f): encodePatched(into: &buffer, f.encode)
        case .reset(let f): encodePatched(into: &buffer, f.encode)
        case .windowUpdate(let f): encodePatched(into: &buffer, f.encode)
        case .ping(let f): encodePatched(into: &buffer, f.encode)
        case .goAway(let f): encodePatched(into: &buffer, f.encode)
        }
    }

    private func encodePatched(into buffer: inout ByteBuffer, _ payload: (inout ByteBuffer) -> Void) {
        let headerIndex = buffer.writerIndex
        buffer.writeMultipleIntegers(UInt32(0), type.rawValue, flags.rawValue, streamID.rawValue)
        payload(&buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - headerIndex - LinkFrameHeader.size), at: headerIndex)
    }

    /// The header flags this frame carries.
    public var flags: LinkFrameFlags {
        switch self {
        case .request(let f): f.endStream ? .endStream : []
        case .response(let f): f.endStream ? .endStream : []
        case .data(let f): f.endStream ? .endStream : []
        case .ping(let f): f.ack ? .ack : []
        case .hello, .welcome, .auth, .authOK, .reset, .windowUpdate, .message, .goAway: []
        }
    }
}

import NIOCore
import NIOWebSocket
import StreamLyAPI

/// The WebSocket protocol of one client connection (RFC 6455), without I/O: messages
/// reassembled from their fragments up to a size, the client's pings answered, the edge's
/// own pings tracked, and the close handshake. `GatewayConnectionHandler` owns it and
/// performs its actions.
struct WebSocketConnectionStateMachine {
    enum State: Equatable {
        case open
        /// The edge sent its close frame and waits for the client's (or its grace to end).
        case closeSent
        case closed
    }

    enum Action: Equatable {
        case none
        /// A whole text message.
        case deliverText(ByteBuffer)
        /// A whole binary message (not part of the protocol: the session refuses it).
        case deliverBinary
        case sendPong(ByteBuffer)
        case sendPing
        /// Sends a close frame (after every frame already accepted) and waits for the answer.
        case sendClose(WebSocketCloseCode, reason: String)
        /// Answers the client's close frame with `code` (none: an empty close) and ends the connection.
        case answerClose(code: UInt16?)
        /// Ends the connection (the close handshake is over).
        case end
    }

    /// The reason a malformed or oversized frame closes the connection with.
    static let malformedReason = "frame too large or malformed"

    /// Largest message, in bytes of all its fragments.
    let maxMessageBytes: Int
    private(set) var state = State.open
    /// The message being reassembled (its fragments so far) and whether it is text.
    private var partial: (bytes: ByteBuffer, text: Bool)?
    /// The edge's last ping has not been answered yet.
    private var awaitingPong = false

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// A frame from the client.
    mutating func received(_ frame: WebSocketFrame) -> Action {
        switch state {
        case .closed:
            return .none
        case .closeSent:
            // Only the answer to the edge's close matters now.
            if frame.opcode == .connectionClose {
                state = .closed
                return .end
            }
            return .none
        case .open:
            break
        }
        switch frame.opcode {
        case .text, .binary:
            guard partial == nil else { return malformed() }
            if frame.fin { return message(frame.unmaskedData, text: frame.opcode == .text) }
            partial = (frame.unmaskedData, frame.opcode == .text)
            return .none
        case .continuation:
            guard var (bytes, text) = partial else { return malformed() }
            partial = nil
            var data = frame.unmaskedData
            guard bytes.readableBytes + data.readableBytes <= maxMessageBytes else { return malformed() }
            bytes.writeBuffer(&data)
            if frame.fin { return message(bytes, text: text) }
            partial = (bytes, text)
            return .none
        case .ping:
            guard frame.fin else { return malformed() }
            return .sendPong(frame.unmaskedData)
        case .pong:
            awaitingPong = false
            return .none
        case .connectionClose:
            state = .closed
            var data = frame.unmaskedData
            return .answerClose(code: data.readInteger(as: UInt16.self))
        default:
            return malformed()
        }
    }

    /// The edge's ping interval passed: ping again, or close a client that did not answer
    /// the last ping (a dead or idle connection).
    mutating func pingDue() -> Action {
        guard state == .open else { return .none }
        if awaitingPong {
            state = .closeSent
            return .sendClose(WebSocketCloseCode.goingAway, reason: "ping not answered")
        }
        awaitingPong = true
        return .sendPing
    }

    /// The session asks to close (auth, rate limits, a slow reader, shutdown).
    mutating func closeRequested(_ code: WebSocketCloseCode, reason: String) -> Action {
        guard state == .open else { return .none }
        state = .closeSent
        return .sendClose(code, reason: reason)
    }

    /// The frame decoder refused the client's bytes (a frame over the size limit, a
    /// malformed header).
    mutating func decodingFailed() -> Action {
        guard state == .open else { return .none }
        return malformed()
    }

    /// The close handshake's grace is over, or the connection is gone.
    mutating func ended() {
        state = .closed
        partial = nil
    }

    private mutating func message(_ bytes: ByteBuffer, text: Bool) -> Action {
        guard bytes.readableBytes <= maxMessageBytes else { return malformed() }
        return text ? .deliverText(bytes) : .deliverBinary
    }

    private mutating func malformed() -> Action {
        partial = nil
        state = .closeSent
        return .sendClose(WebSocketCloseCode.messageTooBig, reason: Self.malformedReason)
    }
}

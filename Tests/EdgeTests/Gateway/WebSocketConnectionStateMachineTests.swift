import NIOCore
import NIOWebSocket
import StreamLyAPI
import Testing
@testable import StreamLyEdge

@Suite("WebSocket connection state machine")
struct WebSocketConnectionStateMachineTests {
    static let key = WebSocketMaskingKey([1, 2, 3, 4])!

    static func frame(_ opcode: WebSocketOpcode, _ text: String = "", fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, maskKey: Self.key, data: Self.masked(text))
    }

    /// `text` masked with the key 1 2 3 4, as a client sends it.
    static func masked(_ text: String) -> ByteBuffer {
        var buffer = ByteBuffer(string: text)
        buffer.webSocketMask(Self.key)
        return buffer
    }

    @Test("a whole text message is delivered unmasked; a binary one is handed on for the session to refuse")
    func messages() {
        var machine = WebSocketConnectionStateMachine(maxMessageBytes: 100)
        #expect(machine.received(Self.frame(.text, "hello")) == .deliverText(ByteBuffer(string: "hello")))
        #expect(machine.received(Self.frame(.binary, "x")) == .deliverBinary)
        #expect(machine.state == .open)
    }

    @Test("fragments are joined, control frames may come between them, and the whole is bounded")
    func fragments() {
        var machine = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(machine.received(Self.frame(.text, "hel", fin: false)) == .none)
        #expect(machine.received(Self.frame(.ping, "p")) == .sendPong(ByteBuffer(string: "p")))
        #expect(machine.received(Self.frame(.continuation, "lo", fin: false)) == .none)
        #expect(machine.received(Self.frame(.continuation, "!")) == .deliverText(ByteBuffer(string: "hello!")))

        #expect(machine.received(Self.frame(.text, "12345", fin: false)) == .none)
        #expect(machine.received(Self.frame(.continuation, "678901")) == .sendClose(.messageTooBig, reason: WebSocketConnectionStateMachine.malformedReason))
        #expect(machine.state == .closeSent)
    }

    @Test("a continuation without a start, a new message inside another and a fragmented ping are malformed (1009)")
    func malformed() {
        let close = WebSocketConnectionStateMachine.Action.sendClose(.messageTooBig, reason: WebSocketConnectionStateMachine.malformedReason)
        var orphan = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(orphan.received(Self.frame(.continuation, "x")) == close)
        var nested = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        _ = nested.received(Self.frame(.text, "a", fin: false))
        #expect(nested.received(Self.frame(.text, "b")) == close)
        var ping = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(ping.received(Self.frame(.ping, "p", fin: false)) == close)
        var decoder = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(decoder.decodingFailed() == close)
        #expect(decoder.decodingFailed() == .none, "closed once")
    }

    @Test("the edge pings; a client that has not answered by the next ping is closed (1001)")
    func pings() {
        var machine = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(machine.pingDue() == .sendPing)
        #expect(machine.received(Self.frame(.pong)) == .none)
        #expect(machine.pingDue() == .sendPing, "answered: ping again")
        #expect(machine.pingDue() == .sendClose(.goingAway, reason: "ping not answered"))
        #expect(machine.pingDue() == .none)
    }

    @Test("the edge's close waits for the client's answer, ignoring data meanwhile; a client's close is answered with its code")
    func closeHandshake() {
        var edgeFirst = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(edgeFirst.closeRequested(.unauthorized, reason: "no") == .sendClose(.unauthorized, reason: "no"))
        #expect(edgeFirst.closeRequested(.goingAway, reason: "again") == .none, "one close frame")
        #expect(edgeFirst.received(Self.frame(.text, "late")) == .none)
        #expect(edgeFirst.received(Self.frame(.connectionClose)) == .end)

        var clientFirst = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        var code = ByteBuffer()
        code.writeInteger(UInt16(1000))
        code.webSocketMask(Self.key)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: Self.key, data: code)
        #expect(clientFirst.received(close) == .answerClose(code: 1000))
        #expect(clientFirst.state == .closed)
        #expect(clientFirst.closeRequested(.goingAway, reason: "x") == .none)

        var empty = WebSocketConnectionStateMachine(maxMessageBytes: 10)
        #expect(empty.received(Self.frame(.connectionClose)) == .answerClose(code: nil))
    }
}

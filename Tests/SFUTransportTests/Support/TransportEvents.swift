import NIOCore
import StreamLySFU

/// What a transport reported, as the tests observe it.
enum TransportEvent: Sendable, Equatable {
    case connected
    /// The first RTP packet of an SSRC (payload type, SSRC), already unprotected.
    case firstRTP(payloadType: UInt8, ssrc: UInt32)
    case rtcp
    case closed(TransportCloseReason)
}

/// A delegate that turns callbacks into an `AsyncStream` and, when `echo` maps a payload
/// type to an SSRC, sends every RTP packet of that payload type back with that SSRC.
// @unchecked Sendable: confined to the transport's event loop (it is handed over once).
final class RecordingDelegate: WebRTCTransportDelegate, @unchecked Sendable {
    let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private var seen: Set<UInt32> = []
    private let echo: [UInt8: UInt32]
    private(set) var rtpCount = 0
    private(set) var echoed = 0

    init(echo: [UInt8: UInt32] = [:]) {
        (events, continuation) = AsyncStream.makeStream(of: TransportEvent.self)
        self.echo = echo
    }

    func transportDidConnect(_ transport: WebRTCTransport) {
        continuation.yield(.connected)
    }

    func transport(_ transport: WebRTCTransport, didReceiveRTP packet: ByteBuffer) {
        rtpCount += 1
        guard var parsed = try? RTPPacket.parse(packet) else { return }
        if seen.insert(parsed.ssrc).inserted {
            continuation.yield(.firstRTP(payloadType: parsed.payloadType, ssrc: parsed.ssrc))
        }
        if let ssrc = echo[parsed.payloadType] {
            parsed.setSSRC(ssrc)
            var buffer = parsed.takeBuffer()
            transport.sendRTP(&buffer)
            echoed += 1
        }
    }

    func transport(_ transport: WebRTCTransport, didReceiveRTCP packet: ByteBuffer) {
        continuation.yield(.rtcp)
    }

    func transport(_ transport: WebRTCTransport, didClose reason: TransportCloseReason) {
        continuation.yield(.closed(reason))
        continuation.finish()
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String
}

extension AsyncStream where Element == TransportEvent {
    /// The first event matching `predicate`, or a `TimeoutError` after `timeout` (a bound for
    /// a hung test, not a measured figure).
    func first(timeout: Duration = .seconds(30), _ what: String,
               where predicate: @escaping @Sendable (TransportEvent) -> Bool) async throws -> TransportEvent {
        try await withThrowingTaskGroup(of: TransportEvent?.self) { group in
            group.addTask {
                for await event in self where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimeoutError(description: "no \(what) within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let event = try await group.next() ?? nil else {
                throw TimeoutError(description: "stream ended before \(what)")
            }
            return event
        }
    }
}

import NIOConcurrencyHelpers
import NIOCore
import StreamLyProtocol

/// Sends a body on one stream.
///
/// `write` returns as soon as its chunk is queued, as long as the bytes queued but not
/// yet handed to the connection stay within the peer's stream window (a bounded
/// write-ahead); beyond that it waits until they drain, which happens only as fast as
/// the peer grants credit. A failure of an earlier chunk (the stream was reset, the
/// connection closed) is thrown by the next `write`, and by `finish`, which returns once
/// the whole body has been handed to the connection.
///
/// A response writer sends the response head with its first chunk, so a body written
/// at once (or `finish(body)` alone) travels in the RESPONSE frame itself.
public struct LinkBodyWriter: Sendable {
    let connection: LinkConnection
    public let streamID: LinkStreamID
    let state: LinkWriteAhead

    public func write(_ buffer: ByteBuffer) async throws {
        try await connection.sendBody(buffer, on: streamID, endStream: false, writeAhead: state)
    }

    /// Ends the body, optionally with a last chunk.
    public func finish(_ buffer: ByteBuffer = ByteBuffer()) async throws {
        try await connection.sendBody(buffer, on: streamID, endStream: true, writeAhead: state)
    }

    /// Abandons the stream.
    public func cancel(_ code: LinkErrorCode = .cancel, reason: String = "cancelled") {
        connection.reset(streamID, code: code, reason: reason)
    }
}

/// The shared state of one `LinkBodyWriter`: bytes queued on the event loop but not yet
/// handed to the channel, the first failure, the writer waiting for the queue to drain,
/// and a response head not sent yet.
final class LinkWriteAhead: Sendable {
    struct Head: Sendable {
        var status: UInt16
        var metadata: LinkMetadata
    }

    private struct State {
        var queued = 0
        var failure: (any Error)?
        var waiter: CheckedContinuation<Void, any Error>?
        var threshold = 0
        var head: Head?
    }

    /// Most bytes queued before `write` waits.
    let limit: Int
    private let state: NIOLockedValueBox<State>

    init(limit: Int, head: Head? = nil) {
        self.limit = limit
        self.state = NIOLockedValueBox(State(head: head))
    }

    /// Accounts a chunk of `cost` about to be queued; returns the response head if it has
    /// not been sent yet (it goes out with this chunk). Throws an earlier failure.
    func begin(_ cost: Int) throws -> Head? {
        try state.withLockedValue { state in
            if let failure = state.failure { throw failure }
            state.queued += cost
            defer { state.head = nil }
            return state.head
        }
    }

    /// Called on the event loop once a chunk of `cost` was handed to the channel, or failed.
    func handed(_ cost: Int, _ result: Result<Void, any Error>) {
        let resume: (CheckedContinuation<Void, any Error>, Result<Void, any Error>)? = state.withLockedValue { state in
            state.queued -= cost
            if case .failure(let error) = result, state.failure == nil { state.failure = error }
            guard let waiter = state.waiter else { return nil }
            if let failure = state.failure {
                state.waiter = nil
                return (waiter, .failure(failure))
            }
            guard state.queued <= state.threshold else { return nil }
            state.waiter = nil
            return (waiter, .success(()))
        }
        if let (waiter, result) = resume { waiter.resume(with: result) }
    }

    /// Returns once at most `threshold` bytes are queued; throws the first failure.
    func wait(untilAtMost threshold: Int) async throws {
        let ready: Result<Void, any Error>? = state.withLockedValue { state in
            if let failure = state.failure { return .failure(failure) }
            return state.queued <= threshold ? .success(()) : nil
        }
        if let ready { return try ready.get() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, any Error>? = state.withLockedValue { state in
                if let failure = state.failure { return .failure(failure) }
                if state.queued <= threshold { return .success(()) }
                state.waiter = continuation
                state.threshold = threshold
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

import NIOCore

/// Local events: opening streams, sending bodies within credit, crediting the
/// peer back as the application consumes, resets and drain.
extension LinkConnectionStateMachine {
    /// Opens a local stream for a REQUEST. Throws REFUSED_STREAM when the peer is
    /// draining or has as many of our streams open as it allows.
    public mutating func openStream() throws -> LinkStreamID {
        try withActive { active in
            guard !active.receivedGoAway else {
                throw LinkProtocolError(.refusedStream, "peer is draining")
            }
            guard active.openLocalStreams < Int(active.peer.settings.maxConcurrentStreams) else {
                throw LinkProtocolError(.refusedStream, "peer allows \(active.peer.settings.maxConcurrentStreams) concurrent streams")
            }
            guard active.nextLocalStreamID <= LinkStreamID.maxID.rawValue else {
                throw LinkProtocolError(.refusedStream, "stream IDs exhausted")
            }
            let id = LinkStreamID(active.nextLocalStreamID)
            active.nextLocalStreamID += 2
            active.insertStream(Stream(
                isLocal: true, sendWindow: Int64(active.peer.settings.initialStreamWindow),
                receiveWindow: Int64(active.local.initialStreamWindow)
            ), id)
            return id
        }
    }

    /// Body bytes that may be sent on `id` now: the smaller of both windows and the
    /// peer's MAX_FRAME_SIZE. Zero if the stream is gone.
    public func sendableBytes(on id: LinkStreamID) -> Int {
        guard case .active(let active) = state, let stream = active.streams[id], !stream.localEnded else { return 0 }
        let window = min(stream.sendWindow, active.connectionSendWindow)
        return max(0, min(Int(window), Int(active.peer.settings.maxFrameSize)))
    }

    /// Largest frame payload the peer accepts.
    public var peerMaxFrameSize: Int {
        guard case .active(let active) = state else { return Int(LinkSettings.minMaxFrameSize) }
        return Int(active.peer.settings.maxFrameSize)
    }

    /// Whether the stream exists and this side may still send on it.
    public func canSend(on id: LinkStreamID) -> Bool {
        guard case .active(let active) = state, let stream = active.streams[id] else { return false }
        return !stream.localEnded
    }

    /// Records that a REQUEST, RESPONSE or DATA frame with `count` body bytes was sent.
    public mutating func sent(bodyBytes count: Int, on id: LinkStreamID, endStream: Bool, isResponseHead: Bool = false) {
        _ = ifActive { active -> Void? in
            guard var stream = active.streams[id] else { return nil }
            stream.sendWindow -= Int64(count)
            active.connectionSendWindow -= Int64(count)
            if isResponseHead { stream.responseStarted = true }
            if endStream { stream.localEnded = true }
            active.store(stream, id)
            return ()
        }
    }

    /// Call after every received frame with its flow-controlled length: the
    /// connection window is credited back as bytes arrive (in batches of half the
    /// window), so bodies nobody reads, or reset streams, never shrink it. Buffering
    /// is bounded by the per-stream windows, which only reading replenishes.
    public mutating func received(bodyBytes count: Int) -> LinkFrame? {
        guard count > 0 else { return nil }
        return ifActive { active in
            active.connectionUnacknowledged += Int64(count)
            guard active.connectionUnacknowledged >= Int64(active.local.connectionWindow / 2) else { return nil }
            let update = LinkFrame.windowUpdate(.init(streamID: .connection, increment: UInt32(active.connectionUnacknowledged)))
            active.connectionReceiveWindow += active.connectionUnacknowledged
            active.connectionUnacknowledged = 0
            return update
        }
    }

    /// The application consumed `count` body bytes of stream `id`: returns the
    /// stream's WINDOW_UPDATE when half its window has been read.
    public mutating func consumed(_ count: Int, on id: LinkStreamID) -> LinkFrame? {
        guard count > 0 else { return nil }
        return ifActive { active in
            guard var stream = active.streams[id], !stream.remoteEnded else { return nil }
            var update: LinkFrame?
            stream.unacknowledged += Int64(count)
            if stream.unacknowledged >= Int64(active.local.initialStreamWindow / 2) {
                update = .windowUpdate(.init(streamID: id, increment: UInt32(stream.unacknowledged)))
                stream.receiveWindow += stream.unacknowledged
                stream.unacknowledged = 0
            }
            active.updateStream(stream, id)
            return update
        }
    }

    /// After our response ended on a stream the peer opened: if the peer is still
    /// sending its request body, nobody will read it, so the stream is reset
    /// (CANCEL) instead of stalling on its window forever. Returns that RESET.
    public mutating func responseEnded(on id: LinkStreamID) -> LinkFrame? {
        guard case .active(let active) = state, let stream = active.streams[id], !stream.isLocal,
              stream.localEnded, !stream.remoteEnded else { return nil }
        return reset(id, code: .cancel, reason: "response complete; request body not needed")
    }

    /// Abandons a stream locally; returns the RESET to send if the stream was open.
    public mutating func reset(_ id: LinkStreamID, code: LinkErrorCode, reason: String) -> LinkFrame? {
        ifActive { active in
            guard active.removeStream(id) != nil else { return nil }
            return .reset(.init(streamID: id, code: code, reason: reason))
        }
    }

    /// Starts a graceful drain: returns the GOAWAY(NO_ERROR) to send. Streams the
    /// peer already opened complete; new ones are refused.
    public mutating func drain(reason: String) -> LinkFrame? {
        ifActive { active in
            guard !active.sentGoAway else { return nil }
            active.sentGoAway = true
            return .goAway(.init(lastStreamID: active.lastPeerStreamID, code: .noError, reason: reason))
        }
    }

    /// Streams currently open, both directions.
    public var openStreamCount: Int {
        guard case .active(let active) = state else { return 0 }
        return active.streams.count
    }

    /// Whether the connection may carry new local requests.
    public var acceptsNewStreams: Bool {
        guard case .active(let active) = state else { return false }
        return !active.receivedGoAway
    }
}

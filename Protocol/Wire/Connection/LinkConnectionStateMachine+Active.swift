import NIOCore

extension LinkConnectionStateMachine {
    /// Bookkeeping of one open stream.
    struct Stream: Sendable {
        /// Opened by this peer (we sent REQUEST).
        let isLocal: Bool
        var sendWindow: Int64
        var receiveWindow: Int64
        /// Body bytes the application consumed but that were not credited back yet.
        var unacknowledged: Int64 = 0
        var localEnded = false
        var remoteEnded = false
        /// For local streams: the peer's RESPONSE arrived. For remote streams: ours was sent.
        var responseStarted = false
    }

    /// The established connection.
    struct Active: Sendable {
        let peer: LinkPeer
        let local: LinkSettings
        private(set) var streams: [LinkStreamID: Stream] = [:]
        /// Open streams by opener, kept in step with `streams` (MAX_CONCURRENT_STREAMS checks).
        private(set) var openLocalStreams = 0
        private(set) var openPeerStreams = 0
        var nextLocalStreamID: UInt32
        var lastPeerStreamID = LinkStreamID.connection
        var connectionSendWindow: Int64
        var connectionReceiveWindow: Int64
        var connectionUnacknowledged: Int64 = 0
        /// Set once we sent GOAWAY: no new peer streams are accepted.
        var sentGoAway = false
        /// Set once the peer sent GOAWAY: no new local streams may be opened.
        var receivedGoAway = false

        init(configuration: Configuration, peer: LinkPeer) {
            self.peer = peer
            self.local = configuration.settings
            self.nextLocalStreamID = configuration.isInitiator ? 1 : 2
            self.connectionSendWindow = Int64(peer.settings.connectionWindow)
            self.connectionReceiveWindow = Int64(configuration.settings.connectionWindow)
        }

        func isLocalStream(_ id: LinkStreamID) -> Bool {
            (id.rawValue & 1 == 1) == (nextLocalStreamID & 1 == 1)
        }

        /// Whether `id` names a stream that existed once (so late frames on it are not errors).
        func wasOpened(_ id: LinkStreamID) -> Bool {
            isLocalStream(id) ? id.rawValue < nextLocalStreamID : id <= lastPeerStreamID
        }

        mutating func receive(_ frame: LinkFrame) -> ReceiveAction {
            switch frame {
            case .request(let request): receiveRequest(request)
            case .response(let response): receiveResponse(response)
            case .data(let chunk): receiveData(chunk)
            case .reset(let reset):
                if removeStream(reset.streamID) != nil { .streamReset(reset) } else { .none }
            case .windowUpdate(let update): receiveWindowUpdate(update)
            case .message(let message): .message(message)
            case .ping(let ping): ping.ack ? .pong(ping.opaque) : .send(.ping(.init(opaque: ping.opaque, ack: true)))
            case .goAway(let goAway): receiveGoAway(goAway)
            case .hello, .welcome, .auth, .authOK:
                connectionFailure(.protocolError, "\(frame.type) after the handshake")
            }
        }

        private mutating func receiveRequest(_ request: LinkFrame.Request) -> ReceiveAction {
            let id = request.streamID
            guard !isLocalStream(id), id > lastPeerStreamID else {
                return connectionFailure(.protocolError, "REQUEST on stream \(id) which the peer cannot open")
            }
            lastPeerStreamID = id
            if let failure = chargeReceive(Int64(request.body.readableBytes), streamWindow: Int64(local.initialStreamWindow)) {
                return failure
            }
            guard !sentGoAway, openPeerStreams < Int(local.maxConcurrentStreams) else {
                let reason = sentGoAway ? "draining" : "over MAX_CONCURRENT_STREAMS \(local.maxConcurrentStreams)"
                return .send(.reset(.init(streamID: id, code: .refusedStream, reason: reason)))
            }
            var stream = Stream(isLocal: false, sendWindow: Int64(peer.settings.initialStreamWindow),
                                receiveWindow: Int64(local.initialStreamWindow) - Int64(request.body.readableBytes))
            stream.remoteEnded = request.endStream
            insertStream(stream, id)
            return .request(request)
        }

        private mutating func receiveResponse(_ response: LinkFrame.Response) -> ReceiveAction {
            let id = response.streamID
            let length = Int64(response.body.readableBytes)
            if let failure = chargeConnection(length) { return failure }
            guard var stream = streams[id] else {
                return lateFrame(on: id, length: length, type: .response)
            }
            guard stream.isLocal, !stream.responseStarted else {
                return connectionFailure(.protocolError, "unexpected RESPONSE on stream \(id)")
            }
            guard length <= stream.receiveWindow else {
                return connectionFailure(.flowControlError, "stream \(id) exceeded its window")
            }
            stream.receiveWindow -= length
            stream.responseStarted = true
            stream.remoteEnded = response.endStream
            store(stream, id)
            return .response(response)
        }

        private mutating func receiveData(_ chunk: LinkFrame.DataChunk) -> ReceiveAction {
            let id = chunk.streamID
            let length = Int64(chunk.body.readableBytes)
            if let failure = chargeConnection(length) { return failure }
            guard var stream = streams[id] else {
                return lateFrame(on: id, length: length, type: .data)
            }
            guard !stream.remoteEnded, !stream.isLocal || stream.responseStarted else {
                return connectionFailure(.protocolError, "DATA on stream \(id) in the wrong state")
            }
            guard length <= stream.receiveWindow else {
                return connectionFailure(.flowControlError, "stream \(id) exceeded its window")
            }
            stream.receiveWindow -= length
            stream.remoteEnded = chunk.endStream
            store(stream, id)
            return .data(chunk)
        }

        private mutating func receiveWindowUpdate(_ update: LinkFrame.WindowUpdate) -> ReceiveAction {
            let increment = Int64(update.increment)
            if update.streamID.isConnection {
                connectionSendWindow += increment
                guard connectionSendWindow <= Int64(LinkSettings.maxWindow) else {
                    return connectionFailure(.flowControlError, "connection window above 2^31-1")
                }
                return .windowOpened(.connection)
            }
            guard var stream = streams[update.streamID] else { return .none }
            stream.sendWindow += increment
            guard stream.sendWindow <= Int64(LinkSettings.maxWindow) else {
                return connectionFailure(.flowControlError, "stream \(update.streamID) window above 2^31-1")
            }
            streams[update.streamID] = stream
            return .windowOpened(update.streamID)
        }

        private mutating func receiveGoAway(_ goAway: LinkFrame.GoAway) -> ReceiveAction {
            receivedGoAway = true
            let refused = streams.keys.filter { isLocalStream($0) && $0 > goAway.lastStreamID }.sorted()
            for id in refused { removeStream(id) }
            return .goAway(goAway, refused: refused, close: goAway.code != .noError)
        }

        /// Frames that arrive on a stream we already reset or finished are dropped; their
        /// bytes were charged to the connection window and are credited back like all others.
        private mutating func lateFrame(on id: LinkStreamID, length: Int64, type: LinkFrameType) -> ReceiveAction {
            guard wasOpened(id) else {
                return connectionFailure(.protocolError, "\(type) on stream \(id) that was never opened")
            }
            return .none
        }

        private mutating func chargeConnection(_ length: Int64) -> ReceiveAction? {
            guard length <= connectionReceiveWindow else {
                return connectionFailure(.flowControlError, "peer exceeded the connection window")
            }
            connectionReceiveWindow -= length
            return nil
        }

        private mutating func chargeReceive(_ length: Int64, streamWindow: Int64) -> ReceiveAction? {
            if let failure = chargeConnection(length) { return failure }
            guard length <= streamWindow else {
                return connectionFailure(.flowControlError, "REQUEST body exceeds the initial stream window")
            }
            return nil
        }

        /// Keeps a stream, or forgets it once both sides have ended it.
        mutating func store(_ stream: Stream, _ id: LinkStreamID) {
            if stream.localEnded && stream.remoteEnded {
                removeStream(id)
            } else {
                streams[id] = stream
            }
        }

        /// Replaces an existing stream's bookkeeping.
        mutating func updateStream(_ stream: Stream, _ id: LinkStreamID) {
            streams[id] = stream
        }

        mutating func insertStream(_ stream: Stream, _ id: LinkStreamID) {
            if streams.updateValue(stream, forKey: id) == nil {
                if stream.isLocal { openLocalStreams += 1 } else { openPeerStreams += 1 }
            }
        }

        @discardableResult
        mutating func removeStream(_ id: LinkStreamID) -> Stream? {
            guard let removed = streams.removeValue(forKey: id) else { return nil }
            if removed.isLocal { openLocalStreams -= 1 } else { openPeerStreams -= 1 }
            return removed
        }

        func connectionFailure(_ code: LinkErrorCode, _ message: String) -> ReceiveAction {
            .fail(LinkProtocolError(code, message),
                  frame: .goAway(.init(lastStreamID: lastPeerStreamID, code: code, reason: message)))
        }
    }
}

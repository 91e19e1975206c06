import Dispatch
import StreamLyAPI
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import StreamLyEdge

@Suite("Chat hub fan-out")
struct ChatHubTests {
    static func event(_ seq: Int64) -> ByteBuffer { ByteBuffer(string: #"{"op":"message","seq":\#(seq)}"#) }

    /// A session whose frames are recorded on a real event loop.
    static func session(_ id: UInt64, limits: GatewayLimits = GatewayLimits()) -> GatewaySession {
        GatewaySession(id: id, limits: limits, now: 0, transport: RecordingTransport())
    }

    /// `session` subscribed to channel "c" of `hub`, its replay having reached `seq`.
    static func subscribe(_ session: GatewaySession, to hub: ChatHub, at seq: Int64 = 0) {
        hub.beginSubscribe(session, channel: "c")
        hub.completeSubscribe(session, channel: "c", lastSeq: seq, replayedUpTo: seq)
    }

    /// The texts of `seqs`' events, in order.
    static func texts(_ seqs: some Sequence<Int64>) -> [String] { seqs.map { String(buffer: event($0)) } }

    /// Texts written to a session so far (after the writes queued on its loop ran).
    static func drain(_ session: GatewaySession) async -> [String] {
        let transport = session.transport as! RecordingTransport
        try? await transport.eventLoop.submit {}.get()
        return transport.texts
    }

    /// `drain`, polled until `count` texts were written or 60 s passed (for work the hub does in
    /// its own tasks).
    static func drain(_ session: GatewaySession, atLeast count: Int) async -> [String] {
        let deadline = ContinuousClock.now + .seconds(60)
        var texts = await drain(session)
        while texts.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            texts = await drain(session)
        }
        return texts
    }

    @Test("events reach every subscriber in order, once, from the same buffer")
    func fanOut() async {
        let hub = ChatHub { _, _, _ in nil }
        let a = Self.session(1)
        let b = Self.session(2)
        for session in [a, b] {
            Self.subscribe(session, to: hub)
        }
        for seq in [1, 2, 2, 3] as [Int64] { hub.received(channel: "c", seq: seq, event: Self.event(seq)) }
        let expected = Self.texts([1, 2, 3] as [Int64])
        #expect(await Self.drain(a) == expected)
        #expect(await Self.drain(b) == expected)
    }

    @Test("each event's frame is encoded once for each event loop: a loop's subscribers get the same buffer, another loop's a copy")
    func oneFramePerLoop() async {
        let hub = ChatHub { _, _, _ in nil }
        var loops = MultiThreadedEventLoopGroup.singleton.makeIterator()
        let (first, second) = (loops.next()!, loops.next()!)
        #expect(first !== second)
        let sessions = (1...6).map { id in
            GatewaySession(id: UInt64(id), limits: GatewayLimits(), now: 0,
                           transport: RecordingTransport(eventLoop: id % 2 == 0 ? first : second))
        }
        for session in sessions {
            Self.subscribe(session, to: hub)
        }
        hub.received(channel: "c", seq: 1, event: Self.event(1))
        var frames: [(address: UInt, bytes: [UInt8])] = []
        for session in sessions {
            #expect(await Self.drain(session) == [String(buffer: Self.event(1))])
            let written = (session.transport as! RecordingTransport).frames
            #expect(written.count == 1)
            frames += written
        }
        #expect(Set(frames.map(\.bytes)).count == 1, "the same frame everywhere")
        let onFirst = Set(frames.indices.filter { sessions[$0].eventLoop === first }.map { frames[$0].address })
        let onSecond = Set(frames.indices.filter { sessions[$0].eventLoop === second }.map { frames[$0].address })
        #expect(onFirst.count == 1 && onSecond.count == 1, "one buffer per loop")
        #expect(onFirst != onSecond, "each loop its own buffer")
    }

    @Test("links releasing one channel's events at once: every subscriber still gets every event once, in order")
    func racingReleases() async {
        let count = 8_000
        // History has every event, as PostgreSQL would (a gap seen while the other link's
        // event is on its way is filled from it).
        let hub = ChatHub { _, after, before in
            before > after + 1 ? (after + 1..<min(before, Int64(count) + 1)).map { ($0, Self.event($0)) } : []
        }
        let sessions = (1...4).map { Self.session(UInt64($0)) }
        for session in sessions {
            Self.subscribe(session, to: hub)
        }
        // Four threads, as origins' links, each with every fourth seq. A release
        // queued in a later hold of the hub's lock than the release itself could overtake the
        // other thread's earlier one, and the cursor would then skip it.
        DispatchQueue.concurrentPerform(iterations: 4) { link in
            for seq in stride(from: Int64(1 + link), through: Int64(count), by: 4) {
                hub.received(channel: "c", seq: seq, event: Self.event(seq))
            }
        }
        let expected = (1...count).map { String(buffer: Self.event(Int64($0))) }
        for session in sessions {
            let texts = await Self.drain(session, atLeast: count)
            #expect(texts.count == count)
            #expect(texts == expected)
        }
    }

    final class Calls: Sendable {
        private let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var value: Int { count.withLock { $0 } }
    }

    @Test("a gap fetch that never answers stops holding the channel: a later tick fetches again and the gap fills")
    func stuckFetch() async throws {
        let calls = Calls()
        let hub = ChatHub(fetchTimeout: .milliseconds(50)) { _, after, before in
            if calls.next() == 1 {
                try? await Task.sleep(for: .seconds(3_600))  // an origin that never answers
                return nil
            }
            return (after + 1 ..< before).map { ($0, Self.event($0)) }
        }
        let session = Self.session(1)
        Self.subscribe(session, to: hub)
        hub.received(channel: "c", seq: 3, event: Self.event(3))
        for _ in 0..<500 where calls.value < 2 {
            try await Task.sleep(for: .milliseconds(20))
            hub.tick()
        }
        #expect(calls.value == 2)
        var delivered: [String] = []
        for _ in 0..<100 where delivered.count < 3 {
            delivered += await Self.drain(session)
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(delivered == Self.texts([1, 2, 3] as [Int64]))
    }

    @Test("live events during a replay wait, and only those past the replay are sent")
    func replayThenLive() async {
        let hub = ChatHub { _, _, _ in nil }
        let early = Self.session(1)
        Self.subscribe(early, to: hub, at: 5)
        let late = Self.session(2)
        hub.beginSubscribe(late, channel: "c")
        hub.received(channel: "c", seq: 6, event: Self.event(6))
        hub.received(channel: "c", seq: 7, event: Self.event(7))
        // The replay the late subscriber got already contained 6.
        hub.completeSubscribe(late, channel: "c", lastSeq: 6, replayedUpTo: 6)
        hub.received(channel: "c", seq: 8, event: Self.event(8))
        #expect(await Self.drain(late) == Self.texts([7, 8] as [Int64]))
        #expect(await Self.drain(early) == Self.texts([6, 7, 8] as [Int64]))
    }

    @Test("a subscriber whose replay reached past what the feed released gets only the events after its replay, then every event")
    func replayAheadOfTheFeed() async {
        let hub = ChatHub { _, _, _ in nil }
        let early = Self.session(1)
        Self.subscribe(early, to: hub, at: 5)
        // The late subscriber's replay (from PostgreSQL) reached 8, while 6 to 8 are still on
        // their way to this edge.
        let late = Self.session(2)
        Self.subscribe(late, to: hub, at: 8)
        for seq in 6...10 as ClosedRange<Int64> { hub.received(channel: "c", seq: seq, event: Self.event(seq)) }
        #expect(await Self.drain(late) == Self.texts([9, 10] as [Int64]))
        #expect(await Self.drain(early) == Self.texts(6...10 as ClosedRange<Int64>))
        #expect(Set(hub.subscribers(of: "c").map(\.id)) == [1, 2])
    }

    @Test("a subscriber that leaves gets nothing more; the others go on getting every event")
    func unsubscribeKeepsTheOthers() async {
        let hub = ChatHub { _, _, _ in nil }
        let sessions = (1...5).map { Self.session(UInt64($0)) }
        for session in sessions {
            Self.subscribe(session, to: hub)
        }
        hub.received(channel: "c", seq: 1, event: Self.event(1))
        for session in sessions { _ = await Self.drain(session) }  // 1 written everywhere before the leaves
        hub.unsubscribe(sessions[1], channel: "c")
        hub.unsubscribe(sessions[4], channel: "c")
        hub.received(channel: "c", seq: 2, event: Self.event(2))
        let both = Self.texts([1, 2] as [Int64])
        for index in [0, 2, 3] { #expect(await Self.drain(sessions[index]) == both) }
        for index in [1, 4] { #expect(await Self.drain(sessions[index]) == [String(buffer: Self.event(1))]) }
        #expect(Set(hub.subscribers(of: "c").map(\.id)) == [1, 3, 4])
        for index in [0, 2, 3] { hub.unsubscribe(sessions[index], channel: "c") }
        #expect(hub.channelCount == 0, "a channel nobody here listens to is forgotten")
    }

    @Test("fan-out to a client that reads nothing closes it with 4008 once the bound is reached, and sends it nothing more")
    func slowConsumerInFanOut() async {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 100
        let transport = RecordingTransport(holdWrites: true)
        let session = GatewaySession(id: 1, limits: limits, now: 0, transport: transport)
        let hub = ChatHub { _, _, _ in nil }
        Self.subscribe(session, to: hub)
        let event = ByteBuffer(repeating: 0x61, count: 30)
        for seq in 1...6 as ClosedRange<Int64> {
            hub.received(channel: "c", seq: seq, event: event)
            _ = await Self.drain(session)
        }
        #expect(transport.texts.count == 3)
        #expect(transport.closes == [WebSocketCloseCode.slowConsumer])
    }

    @Test("a writable connection that cannot hold the bound is not asked what it holds; one that is not writable is")
    func writabilitySparesTheQuestion() async {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 1_000
        let transport = RecordingTransport(writableHoldsAtMost: 200)
        let session = GatewaySession(id: 1, limits: limits, now: 0, transport: transport)
        session.enqueue(ByteBuffer(string: "one"))
        _ = await Self.drain(session)
        #expect(transport.holdsAsked == 0)
        try? await transport.eventLoop.submit { session.writabilityChanged(false) }.get()
        session.enqueue(ByteBuffer(string: "two"))
        #expect(await Self.drain(session) == ["one", "two"])
        #expect(transport.holdsAsked == 1)
    }

    @Test("events that reach the edge before the first subscriber's answer are delivered, not dropped")
    func earlyEventsBeforeTheFirstAnswer() async {
        let hub = ChatHub { _, _, _ in nil }
        let session = Self.session(1)
        hub.beginSubscribe(session, channel: "c")
        // 5 is in the replay; 6 and 7 were committed after the origin read last-seq 5
        // but pushed to the edge before its answer arrived.
        for seq in [5, 6, 7] as [Int64] { hub.received(channel: "c", seq: seq, event: Self.event(seq)) }
        hub.completeSubscribe(session, channel: "c", lastSeq: 5, replayedUpTo: 5)
        hub.received(channel: "c", seq: 8, event: Self.event(8))
        #expect(await Self.drain(session) == Self.texts([6, 7, 8] as [Int64]))
    }

    @Test("a gap is filled from history before later events are released")
    func gapFill() async throws {
        let hub = ChatHub { channel, after, before in
            (after + 1..<before).map { ($0, ChatHubTests.event($0)) }
        }
        let session = Self.session(1)
        Self.subscribe(session, to: hub)
        hub.received(channel: "c", seq: 3, event: Self.event(3))
        hub.received(channel: "c", seq: 4, event: Self.event(4))
        // The fill runs as its own task: wait for it (generously, the suite may be loaded), then
        // check that 4 was held back until 1 and 2 had arrived.
        #expect(await Self.drain(session, atLeast: 4) == Self.texts([1, 2, 3, 4] as [Int64]))
    }

    @Test("a slow client is cut off with 4008 instead of buffering without bound")
    func slowConsumer() async {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 100
        let transport = RecordingTransport(holdWrites: true)  // a client that reads nothing
        let session = GatewaySession(id: 1, limits: limits, now: 0, transport: transport)
        for _ in 0..<10 {
            session.enqueue(ByteBuffer(repeating: 0x61, count: 30))
            _ = await Self.drain(session)
        }
        // 90 bytes held; the fourth frame would make 120: it is not written, the session closes.
        #expect(transport.texts.count == 3)
        #expect(transport.closes == [WebSocketCloseCode.slowConsumer])
        #expect(!session.enqueue(ByteBuffer(string: "x")), "a closing session accepts nothing")
    }

    @Test("what waits for a drain is bounded by itself: frames past the bound are refused at once")
    func slowConsumerBeforeTheDrain() async {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 100
        let transport = RecordingTransport()
        let session = GatewaySession(id: 1, limits: limits, now: 0, transport: transport)
        // The session's loop is held, so no drain runs between the calls (on the loop itself
        // every call would drain at once).
        let gate = DispatchSemaphore(value: 0)
        transport.eventLoop.execute { gate.wait() }
        let accepted = (0..<10).map { _ in session.enqueue(ByteBuffer(repeating: 0x61, count: 30)) }
        gate.signal()
        #expect(accepted == [true, true, true] + Array(repeating: false, count: 7))
        #expect(transport.closes == [WebSocketCloseCode.slowConsumer])
    }

    @Test("bytes leave the send buffer once written, so a client that keeps up is never cut off")
    func sendBufferDrains() async {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 100
        let session = Self.session(1, limits: limits)
        for _ in 0..<20 {
            #expect(session.enqueue(ByteBuffer(repeating: 0x61, count: 60)))
            _ = await Self.drain(session)
        }
        #expect(await Self.drain(session).count == 20)
        #expect(!session.isClosing)
    }

    @Test("fan-out to sessions on different event loops keeps each session's order")
    func fanOutAcrossLoops() async {
        let sessions = (1...8).map { Self.session(UInt64($0)) }
        for seq in 1...50 {
            GatewaySession.send(sessions.map { ($0, [OutboundText(Self.event(Int64(seq)))]) })
        }
        let expected = (1...50).map { String(buffer: Self.event(Int64($0))) }
        for session in sessions { #expect(await Self.drain(session) == expected) }
    }

    @Test("the seq of a message event is read without decoding it")
    func seqParsing() {
        #expect(MessageEventSeq.parse(ByteBuffer(string: #"{"channel":"x","seq":42,"ts":"t"}"#)) == 42)
        #expect(MessageEventSeq.parse(ByteBuffer(string: #"{"channel":"x"}"#)) == nil)
        var lines = ByteBuffer(string: "{\"seq\":1}\n{\"seq\":2}\n")
        #expect(lines.readNextLine()?.seq == 1)
        #expect(lines.readNextLine()?.seq == 2)
        #expect(lines.readNextLine() == nil)
    }
}

/// Records the frames a session writes, on one of the shared event loops; with
/// `holdWrites` the connection keeps every byte written, like a client that stopped reading.
final class RecordingTransport: GatewayTransport, Sendable {
    let eventLoop: any EventLoop
    let writableHoldsAtMost: Int
    private let written = Mutex<[String]>([])
    /// Where each frame encoded for fan-out was (`OutboundText.frame`), and its bytes.
    private let writtenFrames = Mutex<[(address: UInt, bytes: [UInt8])]>([])
    private let closed = Mutex<[WebSocketCloseCode]>([])
    private let holdWrites: Bool
    /// Bytes written and, with `holdWrites`, never taken by the client.
    private let held = Mutex(0)
    /// Calls of `holdsMore`.
    private let asked = Mutex(0)

    init(holdWrites: Bool = false, writableHoldsAtMost: Int = .max,
         eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()) {
        self.holdWrites = holdWrites
        self.writableHoldsAtMost = writableHoldsAtMost
        self.eventLoop = eventLoop
    }

    var holdsAsked: Int { asked.withLock { $0 } }

    var texts: [String] { written.withLock { $0 } }
    var frames: [(address: UInt, bytes: [UInt8])] { writtenFrames.withLock { $0 } }
    /// The codes of the closes asked for, in order.
    var closes: [WebSocketCloseCode] { closed.withLock { $0 } }

    func writeOnLoop(_ texts: [OutboundText]) {
        eventLoop.preconditionInEventLoop()
        written.withLock { $0 += texts.map { String(buffer: $0.text) } }
        if holdWrites { held.withLock { $0 += texts.reduce(0) { $0 + $1.text.readableBytes } } }
        writtenFrames.withLock { frames in
            for frame in texts.compactMap(\.frame) {
                frames.append((frame.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }, Array(buffer: frame)))
            }
        }
    }

    func holdsMore(than bytes: Int) -> Bool {
        eventLoop.preconditionInEventLoop()
        asked.withLock { $0 += 1 }
        return held.withLock { $0 } > bytes
    }

    func close(code: WebSocketCloseCode, reason: String) {
        closed.withLock { $0.append(code) }
    }
}

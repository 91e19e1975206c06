import NIOCore
import StreamLyProtocol

/// Encode+decode throughput of single frames, in a tight loop on one thread.
///
/// Each iteration encodes one frame into a reused `ByteBuffer` (the body is copied in,
/// as `LinkFrame.encode(into:)` does) and parses it back with
/// `LinkFrameParser.nextFrame(from:maxFrameSize:)` (the body comes out as a slice).
/// The baseline does the same data movement with no protocol: copy the body into the
/// reused buffer, read it back as a slice.
///
/// The measured time is split into `rounds` that alternate protocol and baseline; the
/// best round of each counts, so a burst of load from other processes skews neither.
struct CodecBenchmark: Sendable {
    /// Which frame carries the body.
    enum Kind: String, Sendable {
        /// DATA: a bare 10-byte header in front of the body.
        case data = "DATA"
        /// REQUEST: header, method `sys.echo`, one metadata field, then the body.
        case request = "REQUEST"
    }

    /// Messages per second; body bytes per second follow from the body size.
    struct Result: Sendable {
        var messagesPerSecond: Double
        var bytesPerSecond: Double
    }

    var seconds: Double
    var warmup: Double
    var rounds = 3

    /// Runs protocol and baseline for one frame kind and body size.
    func compare(_ kind: Kind, bodySize: Int) throws -> (streamly: Result, memcpy: Result) {
        let frame = frame(kind, bodySize: bodySize)
        let slice = seconds / Double(rounds)
        var streamly = 0.0, memcpy = 0.0
        for round in 0..<rounds {
            let warm = round == 0 ? warmup : 0
            streamly = max(streamly, try runProtocol(frame, window: MeasurementWindow(warmup: warm, seconds: slice)))
            memcpy = max(memcpy, runMemcpy(bodySize: bodySize, window: MeasurementWindow(warmup: warm, seconds: slice)))
        }
        let bytes = Double(bodySize)
        return (Result(messagesPerSecond: streamly, bytesPerSecond: streamly * bytes),
                Result(messagesPerSecond: memcpy, bytesPerSecond: memcpy * bytes))
    }

    func frame(_ kind: Kind, bodySize: Int) -> LinkFrame {
        let body = ByteBuffer(repeating: 0x5A, count: bodySize)
        let stream = LinkStreamID(1)
        switch kind {
        case .data:
            return .data(.init(streamID: stream, body: body, endStream: false))
        case .request:
            return .request(.init(streamID: stream, method: "sys.echo", metadata: ["trace": "0123456789abcdef"],
                                  body: body, endStream: true))
        }
    }

    /// Encodes and decodes `frame` until the window closes; returns messages per second.
    private func runProtocol(_ frame: LinkFrame, window: MeasurementWindow) throws -> Double {
        let capacity = frame.flowControlledLength + 1_024
        let maxFrameSize = LinkSettings.maxMaxFrameSize
        let (rate, checksum) = try loop(window) { iterations in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(capacity)
            var checksum = 0
            for _ in 0..<iterations {
                buffer.clear()
                frame.encode(into: &buffer)
                guard let decoded = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: maxFrameSize) else {
                    fatalError("an encoded frame did not parse back")
                }
                checksum &+= decoded.flowControlledLength
            }
            return checksum
        }
        precondition(checksum > 0)
        return rate
    }

    /// The baseline: copy `bodySize` bytes into a reused buffer and read them back as a slice.
    private func runMemcpy(bodySize: Int, window: MeasurementWindow) -> Double {
        let body = ByteBuffer(repeating: 0x5A, count: bodySize)
        let (rate, checksum) = loop(window) { iterations in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(bodySize + 1_024)
            var checksum = 0
            for _ in 0..<iterations {
                buffer.clear()
                buffer.writeImmutableBuffer(body)
                guard let slice = buffer.readSlice(length: bodySize) else { fatalError("short buffer") }
                checksum &+= slice.readableBytes
            }
            return checksum
        }
        precondition(checksum > 0)
        return rate
    }

    /// Runs `batch` (which performs the given number of iterations and returns a checksum
    /// of what it decoded) until the window closes; returns iterations per second over the
    /// batches run inside the window, and the checksums' sum. Each batch keeps its state in
    /// its own locals (a reused buffer per batch): variables captured from outside would be
    /// checked for exclusive access on every iteration, a cost of the harness, not the codec.
    private func loop(_ window: MeasurementWindow, _ batch: (Int) throws -> Int) rethrows -> (rate: Double, checksum: Int) {
        let batchSize = 1_024
        var checksum = 0
        while nowNanos() < window.start { checksum &+= try batch(batchSize) }
        let start = nowNanos()
        var count = 0
        var now = start
        while !window.isOver(now) {
            checksum &+= try batch(batchSize)
            count += batchSize
            now = nowNanos()
        }
        return (Double(count) / (Double(now - start) / 1e9), checksum)
    }
}

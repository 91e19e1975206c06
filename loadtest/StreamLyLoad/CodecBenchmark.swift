import NIOCore
import StreamLyProtocol

/// Encode+decode throughput of single frames, in a tight loop on one thread.
///
/// Each iteration encodes one frame into a reused `ByteBuffer` (the body is copied in,
/// as `LinkFrame.encode(into:)` does) and parses it back with
/// `LinkFrameParser.nextFrame(from:maxFrameSize:)` (the body comes out as a slice).
/// The baseline does the same data movement with no protocol: copy the body into the
/// reused buffer, read it back as a slice.
struct CodecBenchmark: Sendable {
    /// Which frame carries the body.
    enum Kind: String, Sendable {
        /// DATA: a bare 10-byte header in front of the body.
        case data = "DATA"
        /// REQUEST: header, method `sys.echo`, one metadata field, then the body.
        case request = "REQUEST"
    }

    var seconds: Double
    var warmup: Double

    /// Messages per second and body bytes per second for one frame kind and body size.
    struct Result: Sendable {
        var messagesPerSecond: Double
        var bytesPerSecond: Double
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

    /// Encodes and decodes `frame` for the configured duration.
    func runProtocol(_ frame: LinkFrame) throws -> Result {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(frame.flowControlledLength + 1_024)
        let maxFrameSize = LinkSettings.maxMaxFrameSize
        var checksum = 0
        let result = try loop { iterations in
            for _ in 0..<iterations {
                buffer.clear()
                frame.encode(into: &buffer)
                guard let decoded = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: maxFrameSize) else {
                    fatalError("an encoded frame did not parse back")
                }
                checksum &+= decoded.flowControlledLength
            }
        }
        precondition(checksum > 0)
        return Result(messagesPerSecond: result.perSecond, bytesPerSecond: result.perSecond * Double(frame.flowControlledLength))
    }

    /// The baseline: copy `bodySize` bytes into a reused buffer and read them back as a slice.
    func runMemcpy(bodySize: Int) -> Result {
        let body = ByteBuffer(repeating: 0x5A, count: bodySize)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bodySize + 1_024)
        var checksum = 0
        let result = loop { iterations in
            for _ in 0..<iterations {
                buffer.clear()
                buffer.writeImmutableBuffer(body)
                guard let slice = buffer.readSlice(length: bodySize) else { fatalError("short buffer") }
                checksum &+= slice.readableBytes
            }
        }
        precondition(checksum > 0)
        return Result(messagesPerSecond: result.perSecond, bytesPerSecond: result.perSecond * Double(bodySize))
    }

    /// Runs `batch` (which performs the given number of iterations) until the window closes;
    /// only batches that end inside the window count.
    private func loop(_ batch: (Int) throws -> Void) rethrows -> (count: Int, perSecond: Double) {
        let batchSize = 256
        let window = MeasurementWindow(warmup: warmup, seconds: seconds)
        while nowNanos() < window.start { try batch(batchSize) }
        let start = nowNanos()
        var count = 0
        var now = start
        while !window.isOver(now) {
            try batch(batchSize)
            count += batchSize
            now = nowNanos()
        }
        return (count, Double(count) / (Double(now - start) / 1e9))
    }
}

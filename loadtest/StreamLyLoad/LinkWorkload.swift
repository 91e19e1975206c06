import NIOCore
import StreamLyLink
import StreamLyProtocol

/// Link-side measurements: `sys.echo` round trips and streamed bodies through
/// `sys.sink` / `sys.source`, all over one `LinkConnection`.
enum LinkWorkload {
    /// Who sends the requests of a round-trip case.
    enum Callers: String, CaseIterable, Sendable {
        /// Tasks on the cooperative pool, awaiting `request`.
        case tasks = "task callers"
        /// Tasks isolated to the connection's event loop (an actor on it), awaiting `request`.
        case loopTasks = "loop callers"
        /// Callback chains on the connection's event loop through `submit` (a NIO handler).
        case loopFutures = "future callers"
    }

    /// `sys.echo` with a `bodySize`-byte body, from `inFlight` callers sharing one connection
    /// (so up to `inFlight` streams are open at once). Latency is from calling
    /// `request` to reading the last echoed body byte.
    static func roundTrips(_ connection: LinkConnection, bodySize: Int, inFlight: Int, callers: Callers,
                           window: MeasurementWindow) async throws -> RoundTripResult
    {
        let payload = ByteBuffer(repeating: 0x42, count: bodySize)
        if callers == .loopFutures {
            let latencies = try await FutureEchoChains.run(connection, payload: payload, chains: inFlight, window: window)
            return RoundTripResult(latencies: latencies, seconds: window.seconds)
        }
        let latencies = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    if callers == .loopTasks {
                        return try await EventLoopCaller(connection.eventLoop).echoes(connection, payload, window)
                    }
                    return try await echoes(connection, payload, window)
                }
            }
            var all = LatencyRecorder()
            for try await recorder in group { all.add(recorder) }
            return all
        }
        return RoundTripResult(latencies: latencies, seconds: window.seconds)
    }

    /// Echoes `payload` until the window closes, on the caller's executor.
    nonisolated(nonsending) static func echoes(_ connection: LinkConnection, _ payload: ByteBuffer,
                                               _ window: MeasurementWindow) async throws -> LatencyRecorder {
        var recorder = LatencyRecorder()
        while true {
            let started = nowNanos()
            try await echo(connection, payload)
            let now = nowNanos()
            if window.contains(now) { recorder.record(nanoseconds: now - started) }
            if window.isOver(now) { return recorder }
        }
    }

    private nonisolated(nonsending) static func echo(_ connection: LinkConnection, _ payload: ByteBuffer) async throws {
        let response = try await connection.request("sys.echo", body: payload)
        guard response.status == 200 else { throw BenchmarkError("sys.echo answered \(response.status)") }
        var received = 0
        for try await chunk in response.body { received += chunk.readableBytes }
        guard received == payload.readableBytes else {
            throw BenchmarkError("sys.echo returned \(received) bytes, sent \(payload.readableBytes)")
        }
    }

    /// Streams `total` bytes to `sys.sink` in `chunkSize` writes; returns the seconds from
    /// opening the request to the response that confirms the byte count.
    static func upload(_ connection: LinkConnection, total: Int, chunkSize: Int) async throws -> Double {
        let chunk = ByteBuffer(repeating: 0x5A, count: chunkSize)
        let started = nowNanos()
        let (writer, response) = try await connection.streamingRequest("sys.sink")
        var left = total
        while left > 0 {
            let piece = min(left, chunkSize)
            try await writer.write(piece == chunkSize ? chunk : chunk.getSlice(at: 0, length: piece)!)
            left -= piece
        }
        try await writer.finish()
        let head = try await response()
        for try await _ in head.body {}
        let elapsed = Double(nowNanos() - started) / 1e9
        guard head.status == 200, head.metadata["bytes"] == String(total) else {
            throw BenchmarkError("sys.sink answered \(head.status) bytes=\(head.metadata["bytes"] ?? "nil"), sent \(total)")
        }
        return elapsed
    }

    /// Asks `sys.source` for `total` bytes; returns the seconds until the last one was read.
    static func download(_ connection: LinkConnection, total: Int) async throws -> Double {
        let started = nowNanos()
        let response = try await connection.request("sys.source", metadata: ["bytes": String(total)])
        guard response.status == 200 else { throw BenchmarkError("sys.source answered \(response.status)") }
        var received = 0
        for try await chunk in response.body { received += chunk.readableBytes }
        let elapsed = Double(nowNanos() - started) / 1e9
        guard received == total else { throw BenchmarkError("sys.source sent \(received) bytes, asked for \(total)") }
        return elapsed
    }
}

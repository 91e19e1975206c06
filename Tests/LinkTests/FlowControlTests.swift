import NIOCore
import StreamLyLink
import StreamLyProtocol
import Synchronization
import Testing

@Suite("Flow control")
struct FlowControlTests {
    /// Sequential `sys.ping` round trips; returns sorted latencies in nanoseconds.
    static func pingLatencies(_ connection: LinkConnection, count: Int) async throws -> [UInt64] {
        var latencies: [UInt64] = []
        for _ in 0..<count {
            let start = nowNanos()
            let response = try await connection.request("sys.ping")
            _ = try await response.body.collect(upTo: 1_024)
            latencies.append(nowNanos() - start)
        }
        return latencies.sorted()
    }

    /// Streams a `total`-byte body to `sys.sink` and, once 16 MiB of it are sent, runs `measure`
    /// beside it. Returns what `measure` returned, the body bytes sent when it finished, the
    /// byte count the sink received, and the body's transfer time in nanoseconds.
    static func besideLargeBody<Result: Sendable>(
        _ connection: LinkConnection, total: Int, _ measure: () async throws -> Result
    ) async throws -> (Result, sentMeanwhile: Int, received: String?, transferNanos: UInt64) {
        let sentBytes = Atomic<Int>(0)
        let transferStart = nowNanos()
        let transfer = Task {
            let (writer, response) = try await connection.streamingRequest("sys.sink")
            let chunk = ByteBuffer(repeating: 0x42, count: 256 * 1_024)
            var sent = 0
            while sent < total {
                try await writer.write(chunk)
                sent += chunk.readableBytes
                sentBytes.store(sent, ordering: .relaxed)
            }
            try await writer.finish()
            let head = try await response()
            return (head.metadata["bytes"], nowNanos() - transferStart)
        }
        while sentBytes.load(ordering: .relaxed) < 16 << 20 { try await Task.sleep(for: .milliseconds(1)) }
        let result = try await measure()
        let sentMeanwhile = sentBytes.load(ordering: .relaxed)
        let (received, transferNanos) = try await transfer.value
        return (result, sentMeanwhile, received, transferNanos)
    }

    @Test("small requests stay fast while a large body streams on the same link")
    func smallRequestsBesideLargeBody() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        _ = try await Self.pingLatencies(connection, count: 50)
        let idle = try await Self.pingLatencies(connection, count: 300)

        let total = 512 << 20
        let (loaded, sentDuringPings, received, transferNanos) = try await Self.besideLargeBody(connection, total: total) {
            try await Self.pingLatencies(connection, count: 300)
        }

        let idleP50 = idle[idle.count / 2], loadedP50 = loaded[loaded.count / 2]
        let loadedP99 = loaded[loaded.count * 99 / 100]
        print("flow-control: idle p50 \(idleP50 / 1_000) µs; during a \(total >> 20) MiB body p50 \(loadedP50 / 1_000) µs p99 \(loadedP99 / 1_000) µs; body took \(transferNanos / 1_000_000) ms")
        #expect(received == String(total))
        // The body was still streaming while we measured, so the pings really shared the link.
        #expect(sentDuringPings < total)
        // Generous relative bounds: a ping waits at most about one window of body bytes,
        // never for the body itself.
        #expect(loadedP50 < max(idleP50 * 50, 2_000_000))
        #expect(loadedP99 * 20 < transferNanos)
        await connection.close()
        await server.stop()
    }

    /// `tasks` tasks each sending `each` sequential 64 B `sys.echo` requests on one
    /// connection; returns every request's latency in nanoseconds, sorted.
    static func concurrentEchoLatencies(_ connection: LinkConnection, tasks: Int, each: Int) async throws -> [UInt64] {
        let body = ByteBuffer(repeating: 0x61, count: 64)
        let all = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var latencies: [UInt64] = []
                    for _ in 0..<each {
                        let start = nowNanos()
                        let response = try await connection.request("sys.echo", body: body)
                        let echoed = try await response.body.collect(upTo: 1_024)
                        guard echoed == body else { throw LinkError(.invalidArgument, "echo returned other bytes") }
                        latencies.append(nowNanos() - start)
                    }
                    return latencies
                }
            }
            var all: [UInt64] = []
            for try await latencies in group { all += latencies }
            return all
        }
        return all.sorted()
    }

    @Test("many concurrent small requests complete with bounded latency while a large body streams")
    func concurrentSmallRequestsBesideLargeBody() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        let tasks = 32, each = 25
        _ = try await Self.concurrentEchoLatencies(connection, tasks: tasks, each: 5)
        let idle = try await Self.concurrentEchoLatencies(connection, tasks: tasks, each: each)

        let total = 512 << 20
        let (loaded, sentDuringRequests, received, transferNanos) = try await Self.besideLargeBody(connection, total: total) {
            try await Self.concurrentEchoLatencies(connection, tasks: tasks, each: each)
        }

        let idleP99 = idle[idle.count * 99 / 100], loadedP99 = loaded[loaded.count * 99 / 100]
        let loadedMax = loaded.last ?? 0
        print("flow-control: \(tasks) × \(each) concurrent echoes: idle p99 \(idleP99 / 1_000) µs; during a \(total >> 20) MiB body p99 \(loadedP99 / 1_000) µs, max \(loadedMax / 1_000) µs; body took \(transferNanos / 1_000_000) ms")
        #expect(received == String(total))
        #expect(loaded.count == tasks * each)
        // The body was still streaming while the requests ran, so they really shared the link.
        #expect(sentDuringRequests < total)
        // Relative bounds: no small request waited for the body (each took a small part of
        // its transfer), and the body cost the requests at most a bounded factor.
        #expect(loadedMax * 10 < transferNanos)
        #expect(loadedP99 < idleP99 * 50)
        await connection.close()
        await server.stop()
    }

    @Test("an unread body stalls only its own stream")
    func unreadBodyStallsOnlyItsStream() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        // Ask for far more than the windows allow and never read it.
        let stalled = try await connection.request("sys.source", metadata: ["bytes": String(64 << 20)])
        #expect(stalled.status == 200)
        try await Task.sleep(for: .milliseconds(100))
        let latencies = try await Self.pingLatencies(connection, count: 20)
        #expect(latencies.count == 20)
        // Now drain it: all bytes arrive once read.
        var count = 0
        for try await chunk in stalled.body { count += chunk.readableBytes }
        #expect(count == 64 << 20)
        await connection.close()
        await server.stop()
    }
}

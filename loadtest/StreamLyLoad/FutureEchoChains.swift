import NIOCore
import StreamLyLink

/// `sys.echo` round trips sent the way a NIO handler sends them: `chains` callback chains on
/// the connection's event loop, each sending its next request from the previous one's
/// callback through `LinkConnection.submit`, with no Swift task in the loop.
final class FutureEchoChains {
    private let connection: LinkConnection
    private let payload: ByteBuffer
    private let window: MeasurementWindow
    private let done: EventLoopPromise<LatencyRecorder>
    private var recorder = LatencyRecorder()
    private var running: Int

    private init(connection: LinkConnection, payload: ByteBuffer, chains: Int, window: MeasurementWindow,
                 done: EventLoopPromise<LatencyRecorder>) {
        self.connection = connection
        self.payload = payload
        self.window = window
        self.done = done
        self.running = chains
    }

    /// Runs the chains until the window closes; the latencies of the requests inside it.
    static func run(_ connection: LinkConnection, payload: ByteBuffer, chains: Int,
                    window: MeasurementWindow) async throws -> LatencyRecorder {
        let loop = connection.eventLoop
        let done = loop.makePromise(of: LatencyRecorder.self)
        loop.execute {
            let runner = FutureEchoChains(connection: connection, payload: payload, chains: chains, window: window, done: done)
            for _ in 0..<chains { runner.next() }
        }
        return try await done.futureResult.get()
    }

    /// On the loop: sends one request; its callback records it and sends the next.
    private func next() {
        let started = nowNanos()
        connection.submit("sys.echo", body: payload).assumeIsolated().whenComplete { [self] result in
            guard running > 0 else { return }  // failed already
            switch result {
            case .success(let response):
                guard response.status == 200, response.body.completeBuffer?.readableBytes == payload.readableBytes else {
                    return fail(BenchmarkError("sys.echo answered \(response.status) without the whole body in its head frame"))
                }
            case .failure(let error):
                return fail(error)
            }
            let now = nowNanos()
            if window.contains(now) { recorder.record(nanoseconds: now - started) }
            if window.isOver(now) {
                running -= 1
                if running == 0 { done.succeed(recorder) }
            } else {
                next()
            }
        }
    }

    private func fail(_ error: any Error) {
        running = -1
        done.fail(error)
    }
}

import NIOCore
import StreamLyLink

/// An actor whose executor is an event loop: code isolated to it runs on that loop's thread,
/// so link requests it sends on a connection of the same loop need no thread hand-off (the
/// request is written inline and its answer resumes the caller from the loop itself).
actor EventLoopCaller {
    let eventLoop: any EventLoop

    nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// `LinkWorkload.echoes`, on the event loop.
    func echoes(_ connection: LinkConnection, _ payload: ByteBuffer, _ window: MeasurementWindow) async throws
        -> LatencyRecorder
    {
        try await LinkWorkload.echoes(connection, payload, window)
    }
}

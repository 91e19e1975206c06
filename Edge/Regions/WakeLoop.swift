import ServiceLifecycle

/// The loop of the directory's services: `pass` runs once at start, after every `wake.yield()`
/// and at least every `interval` (to retry), one pass at a time (wakes during a pass coalesce
/// into one: the stream keeps only the newest), until graceful shutdown.
enum WakeLoop {
    static func run(every interval: Duration, wakes: AsyncStream<Void>, wake: AsyncStream<Void>.Continuation,
                    _ pass: () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    wake.yield()
                    try? await Task.sleep(for: interval)
                }
            }
            await withGracefulShutdownHandler {
                for await _ in wakes { await pass() }
            } onGracefulShutdown: {
                wake.finish()
            }
            group.cancelAll()
        }
    }
}

import NIOCore
import NIOPosix
import Synchronization

/// The threads password hashing runs on: a pool of its own, so a flood of sign-ups and
/// log-ins (each ~0.1 s of CPU and 32 MiB with scrypt) can occupy only these threads and never
/// NIO's shared blocking pool, which file and object-store I/O use. Admission is bounded:
/// with `threads` hashes running and `queue` waiting, another is refused at once with
/// `.rateLimited` (HTTP 429, retry after a second) instead of queueing without limit.
public final class PasswordHashPool: Sendable {
    public let threads: Int
    public let queue: Int
    private let pool: NIOThreadPool
    private let admitted = Mutex(0)

    /// Starts `threads` threads (default: half the cores, at least one) with room for `queue` waiting hashes.
    public init(threads: Int = max(1, System.coreCount / 2), queue: Int = 64) {
        self.threads = max(1, threads)
        self.queue = max(0, queue)
        pool = NIOThreadPool(numberOfThreads: self.threads)
        pool.start()
    }

    /// Hashes in use and waiting now.
    public var inUse: Int { admitted.withLock { $0 } }

    /// Runs `work` on the pool, or throws `.rateLimited` when it is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let limit = threads + queue
        let entered = admitted.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard entered else {
            throw StoreError(.rateLimited, "too many sign-ins in progress; retry shortly", retryAfter: .seconds(1))
        }
        defer { admitted.withLock { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }
}

import Logging
import ServiceLifecycle
import StreamLyStore
import Synchronization

/// Migrates the schema (retrying until PostgreSQL answers), then runs the sequencer and
/// fan-out until shutdown, when it leaves the consumer groups and flushes the producer.
final class OriginChatService: Service, Sendable {
    let database: Database
    let chat: ChatFeature
    let producer: EventProducer
    let logger: Logger
    private let migrated = Atomic<Bool>(false)

    init(database: Database, chat: ChatFeature, producer: EventProducer, logger: Logger) {
        self.database = database
        self.chat = chat
        self.producer = producer
        self.logger = logger
    }

    var isMigrated: Bool { migrated.load(ordering: .relaxed) }

    func run() async throws {
        var delay = Duration.milliseconds(200)
        while !Task.isShuttingDownGracefully {
            // Cancelled (another service failed, e.g. a port in use): end, so the origin exits.
            try Task.checkCancellation()
            do {
                let applied = try await Migrator(database: database).migrate()
                if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied)"]) }
                migrated.store(true, ordering: .relaxed)
                break
            } catch {
                logger.warning("migrations not applied yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        await withGracefulShutdownHandler {
            await self.chat.run()
        } onGracefulShutdown: {
            Task { await self.chat.close() }
        }
        await producer.close()
    }
}

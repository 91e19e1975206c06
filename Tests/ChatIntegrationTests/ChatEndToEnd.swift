import Testing

/// Chat end to end against the real PostgreSQL, Redis and Kafka-compatible broker of
/// `infra/` and real `streamly-origin` / `streamly-edge` processes, with a real WebSocket
/// client (HummingbirdWSClient) and curl:
///
/// ```sh
/// infra/up.sh --profile test && . .state/test/env.sh
/// swift build --build-tests && swift test --skip-build --filter ChatEndToEnd
/// ```
///
/// Missing `STREAMLY_POSTGRES_URL`, `STREAMLY_REDIS_URL` or `STREAMLY_KAFKA_BROKERS` fail
/// every test; the Redis restart needs `STREAMLY_INFRA_PROFILE` (it restarts that
/// profile's Redis); the broker restart uses the profile's durable broker
/// (`STREAMLY_KAFKA_DURABLE_BROKERS`, restarted as `STREAMLY_KAFKA_DURABLE_SERVICE`).
/// The nested suites run one at a time: they share the broker's consumer groups and Redis.
@Suite("Chat end to end (real services and processes)", .serialized)
struct ChatEndToEnd {}

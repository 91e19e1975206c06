import IntegrationSupport
import StreamLyRedis
import Testing

extension RealRedis {
    /// Restarts a real Redis mid-test: one of the test's own (`PrivateRedis`), so no other
    /// suite loses its Redis meanwhile.
    @Suite struct ReconnectTests {
        @Test func clientAndSubscriberRecoverFromARedisRestart() async throws {
            let server = try await PrivateRedis.start(name: "reconnect")
            do {
                try await recoverFromARestart(of: server)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        private func recoverFromARestart(of server: PrivateRedis) async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withSubscriber(url: server.url) { (subscriber) async throws in
                let collector = EventCollector(subscriber)
                try await subscriber.subscribe([p + "events"])
                try await RedisTestSupport.withClient(url: server.url) { (redis) async throws in
                    try await redis.set(p + "before", "1", expiresIn: .seconds(30))
                    #expect(try await redis.publish(p + "events", "before") == 1)
                    #expect(await collector.waitFor { $0 == .message(RedisPubSubMessage(channel: p + "events", payload: Array("before".utf8))) })

                    // A burst in flight while Redis goes away: every command completes or fails
                    // with a RedisError; none hangs.
                    async let burst: [Result<RESPValue, any Error>] = withTaskGroup(of: Result<RESPValue, any Error>.self) { group in
                        for index in 0..<200 {
                            group.addTask {
                                try? await Task.sleep(for: .milliseconds(index))
                                return await outcome { try await redis.send("INCR", RedisArgument(p + "burst")) }
                            }
                        }
                        return await group.reduce(into: []) { $0.append($1) }
                    }
                    try await server.restart()
                    for result in await burst {
                        if case .failure(let error) = result { #expect(error is RedisError, "\(error)") }
                    }

                    // The client reconnects by itself; commands work again (allow for a Redis
                    // that takes a few seconds to come back on a loaded CI machine).
                    #expect(await RedisTestSupport.eventually(timeout: .seconds(20)) { (try? await redis.ping()) == "PONG" })
                    #expect(await RedisTestSupport.eventually { redis.isConnected })
                    try await redis.set(p + "after", "2", expiresIn: .seconds(30))
                    #expect(try await redis.getString(p + "after") == "2")

                    // The subscriber re-subscribed and says so.
                    #expect(await collector.waitFor { $0 == .reconnected }, "subscriber emitted .reconnected")
                    #expect(try await redis.publish(p + "events", "after") == 1)
                    #expect(await collector.waitFor { $0 == .message(RedisPubSubMessage(channel: p + "events", payload: Array("after".utf8))) })
                    try await redis.del(p + "before", p + "after", p + "burst")
                }
            }
        }

        @Test func commandsFailFastWhenRedisIsUnreachable() async throws {
            // Nothing listens on port 1: commands wait `connectionWait`, then fail with `.unavailable`.
            let client = RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1, connectionWait: .milliseconds(200)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                let start = ContinuousClock.now
                let error = await #expect(throws: RedisError.self) { try await client.ping() }
                #expect(error?.code == .unavailable)
                #expect(error?.isRetryable == true)
                #expect(ContinuousClock.now - start < .seconds(2))
                #expect(!client.isConnected)
                client.close()
                try await group.waitForAll()
            }
        }
    }
}

import StreamLyRedis
import Testing

extension RealRedis {
    @Suite struct SubscriberTests {
        @Test func deliversAcrossTwoClients() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withSubscriber { (subscriber) async throws in
                let collector = EventCollector(subscriber)
                try await subscriber.subscribe([p + "typing"])
                try await subscriber.psubscribe([p + "presence:*"])
                try await RedisTestSupport.withClient { (redis) async throws in
                    let payload: [UInt8] = [0, 13, 10, 1, 2]
                    #expect(try await redis.publish(p + "typing", payload) == 1)
                    #expect(try await redis.publish(p + "presence:room-1", "join") == 1)
                    #expect(try await redis.publish(p + "other", "ignored") == 0)
                    #expect(await collector.waitFor { $0 == .message(RedisPubSubMessage(channel: p + "typing", payload: payload)) })
                    #expect(await collector.waitFor {
                        $0 == .message(RedisPubSubMessage(channel: p + "presence:room-1", pattern: p + "presence:*", payload: Array("join".utf8)))
                    })

                    try await subscriber.unsubscribe([p + "typing"])
                    #expect(try await redis.publish(p + "typing", "gone") == 0)
                    try await subscriber.punsubscribe([p + "presence:*"])
                    #expect(try await redis.publish(p + "presence:room-1", "gone") == 0)
                }
                #expect(collector.events.count == 2)
            }
        }
    }
}

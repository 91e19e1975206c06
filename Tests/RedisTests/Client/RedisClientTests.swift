import StreamLyRedis
import Testing

extension RealRedis {
    @Suite struct ClientTests {
        @Test func basicCommands() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withClient { (redis) async throws in
                #expect(try await redis.ping() == "PONG")
                #expect(redis.isConnected)
                #expect(try await redis.set(p + "k", "v"))
                #expect(try await redis.getString(p + "k") == "v")
                #expect(try await redis.set(p + "k", "w", condition: .ifNotExists) == false)
                #expect(try await redis.get(p + "missing") == nil)

                #expect(try await redis.sadd(p + "set", ["a", "b", "a"]) == 2)
                #expect(try await redis.srem(p + "set", ["a"]) == 1)
                #expect(try await redis.smembers(p + "set") == [Array("b".utf8)])

                #expect(try await redis.hset(p + "hash", [(field: "user", value: "ann"), (field: "state", value: "typing")]) == 2)
                #expect(try await redis.hget(p + "hash", field: "user") == Array("ann".utf8))
                #expect(try await redis.hdel(p + "hash", ["state", "nope"]) == 1)
                #expect(try await redis.hgetall(p + "hash") == ["user": Array("ann".utf8)])

                #expect(try await redis.zadd(p + "z", [(score: 1, member: "a"), (score: 2.5, member: "b"), (score: 10, member: "c")]) == 3)
                #expect(try await redis.zrangebyscore(p + "z", min: 2, max: .infinity) == [Array("b".utf8), Array("c".utf8)])
                #expect(try await redis.zrangebyscore(p + "z", min: -.infinity, max: .infinity, limit: (offset: 1, count: 1)) == [Array("b".utf8)])
                #expect(try await redis.zremrangebyscore(p + "z", min: -.infinity, max: 2.5) == 2)
                #expect(try await redis.zrem(p + "z", ["c"]) == 1)

                #expect(try await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", keys: [p + "n"], arguments: [5]) == .integer(5))
                #expect(try await redis.del(p + "k", p + "set", p + "hash", p + "n", p + "missing") == 4)
            }
        }

        @Test func valuesAreBinarySafe() async throws {
            let p = RedisTestSupport.prefix()
            let value: [UInt8] = [0, 13, 10, 0, 255, 36, 45, 13, 10, 42] + Array("\r\n$-1\r\n".utf8)
            let key: [UInt8] = Array((p + "bin\r\n").utf8) + [0]
            try await RedisTestSupport.withClient { (redis) async throws in
                _ = try await redis.send([Array("SET".utf8), key, value])
                #expect(try await redis.send([Array("GET".utf8), key]) == .bulk(value))
                #expect(try await redis.set(p + "empty", [UInt8]()))
                #expect(try await redis.get(p + "empty") == [])
                #expect(try await redis.hset(p + "h", field: "f\r\n", value: value))
                #expect(try await redis.hgetall(p + "h") == ["f\r\n": value])
                _ = try await redis.send([Array("DEL".utf8), key, Array((p + "empty").utf8), Array((p + "h").utf8)])
            }
        }

        @Test func tenThousandPipelinedCommandsAnsweredInOrder() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withClient { (redis) async throws in
                // 10,000 concurrent callers share one pipelined connection. Each ECHOes a unique
                // payload, so a reply handed to the wrong caller (a FIFO mix-up) shows as a
                // mismatch; then each INCRs a shared counter, which must end at exactly 10,000.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<10_000 {
                        group.addTask {
                            let echo = try await redis.send("ECHO", RedisArgument("payload-\(index)"))
                            #expect(echo == .bulk(Array("payload-\(index)".utf8)))
                            let count = try await redis.send("INCR", RedisArgument(p + "counter"))
                            guard case .integer = count else { throw RedisError(.unexpectedReply, "\(count)") }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await redis.getString(p + "counter") == "10000")
                try await redis.del(p + "counter")
            }
        }

        @Test func errorRepliesSurfaceWithRedisMessage() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withClient { (redis) async throws in
                let unknown = await #expect(throws: RedisError.self) { try await redis.send("NOSUCHCOMMAND", "x") }
                #expect(unknown?.code == .server)
                #expect(unknown?.message.hasPrefix("ERR unknown command") == true, "\(String(describing: unknown))")

                try await redis.sadd(p + "set", ["a"])
                let wrongType = await #expect(throws: RedisError.self) { try await redis.get(p + "set") }
                #expect(wrongType?.serverErrorPrefix == "WRONGTYPE")
                // The connection is still fine afterwards.
                #expect(try await redis.ping() == "PONG")
                try await redis.del(p + "set")
            }
        }

        @Test func setWithExpiryReallyExpires() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withClient { (redis) async throws in
                try await redis.set(p + "ttl", "x", expiresIn: .milliseconds(150))
                let ttl = try await redis.pttl(p + "ttl")
                #expect(ttl > 0 && ttl <= 150)
                #expect(try await redis.exists(p + "ttl"))
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await redis.get(p + "ttl") == nil)

                try await redis.set(p + "later", "y")
                #expect(try await redis.pexpire(p + "later", milliseconds: 100))
                #expect(try await redis.expire(p + "missing", seconds: 10) == false)
                try await Task.sleep(for: .milliseconds(250))
                #expect(try await redis.exists(p + "later") == false)
            }
        }

        @Test func selectsDatabaseFromURL() async throws {
            let p = RedisTestSupport.prefix()
            try await RedisTestSupport.withClient(configuring: { $0.database = 2 }) { (redis) async throws in
                try await redis.set(p + "db", "2", expiresIn: .seconds(5))
                #expect(try await redis.send("CLIENT", "INFO").bulkBytes().map { String(decoding: $0, as: UTF8.self).contains("db=2") } == true)
                try await redis.del(p + "db")
            }
        }

        @Test func closedClientFailsWithClosed() async throws {
            try await RedisTestSupport.withClient { (redis) async throws in
                #expect(try await redis.ping() == "PONG")
                redis.close()
                let error = await #expect(throws: RedisError.self) { try await redis.ping() }
                #expect(error?.code == .closed)
            }
        }
    }
}


/// Sets, hashes and sorted sets: the structures behind presence and TTL registries.
extension RedisClient {
    // MARK: Sets

    /// SADD key member…; returns how many members were new.
    @discardableResult
    public func sadd(_ key: String, _ members: [some RedisArgumentConvertible]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(["SADD", RedisArgument(key)] + members.map(\.redisArgument)).integer())
    }

    /// SREM key member…; returns how many members were removed.
    @discardableResult
    public func srem(_ key: String, _ members: [some RedisArgumentConvertible]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(["SREM", RedisArgument(key)] + members.map(\.redisArgument)).integer())
    }

    /// SMEMBERS key, in Redis's (unspecified) order; empty if the key does not exist.
    public func smembers(_ key: String) async throws -> [[UInt8]] {
        try await send("SMEMBERS", RedisArgument(key)).bulkArray()
    }

    // MARK: Hashes

    /// HSET key field value…; returns how many fields were new.
    @discardableResult
    public func hset(_ key: String, _ fields: [(field: String, value: any RedisArgumentConvertible)]) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        var arguments: [RedisArgument] = ["HSET", RedisArgument(key)]
        for (field, value) in fields {
            arguments += [RedisArgument(field), value.redisArgument]
        }
        return Int(try await send(arguments).integer())
    }

    /// HSET key field value; returns whether the field was new.
    @discardableResult
    public func hset(_ key: String, field: String, value: some RedisArgumentConvertible) async throws -> Bool {
        try await hset(key, [(field: field, value: value)]) == 1
    }

    /// HGET key field; nil if the key or field does not exist.
    public func hget(_ key: String, field: String) async throws -> [UInt8]? {
        try await send("HGET", RedisArgument(key), RedisArgument(field)).bulkBytes()
    }

    /// HDEL key field…; returns how many fields were removed.
    @discardableResult
    public func hdel(_ key: String, _ fields: [String]) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        return Int(try await send(["HDEL", RedisArgument(key)] + fields.map { RedisArgument($0) }).integer())
    }

    /// HGETALL key as field → value (field names decoded as UTF-8); empty if the key does not exist.
    public func hgetall(_ key: String) async throws -> [String: [UInt8]] {
        let flat = try await send("HGETALL", RedisArgument(key)).bulkArray()
        guard flat.count.isMultiple(of: 2) else {
            throw RedisError(.unexpectedReply, "HGETALL returned an odd number of elements (\(flat.count))")
        }
        var result: [String: [UInt8]] = [:]
        result.reserveCapacity(flat.count / 2)
        for index in stride(from: 0, to: flat.count, by: 2) {
            result[String(decoding: flat[index], as: UTF8.self)] = flat[index + 1]
        }
        return result
    }

    // MARK: Sorted sets

    /// ZADD key score member…; returns how many members were new (scores of existing ones are updated).
    @discardableResult
    public func zadd(_ key: String, _ members: [(score: Double, member: any RedisArgumentConvertible)]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        var arguments: [RedisArgument] = ["ZADD", RedisArgument(key)]
        for (score, member) in members {
            arguments += [try Self.score(score), member.redisArgument]
        }
        return Int(try await send(arguments).integer())
    }

    /// ZADD key score member; returns whether the member was new.
    @discardableResult
    public func zadd(_ key: String, score: Double, member: some RedisArgumentConvertible) async throws -> Bool {
        try await zadd(key, [(score: score, member: member)]) == 1
    }

    /// ZREM key member…; returns how many members were removed.
    @discardableResult
    public func zrem(_ key: String, _ members: [some RedisArgumentConvertible]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(["ZREM", RedisArgument(key)] + members.map(\.redisArgument)).integer())
    }

    /// ZRANGEBYSCORE key min max [LIMIT offset count]: members with min ≤ score ≤ max, lowest
    /// first. Use `-.infinity`/`.infinity` for open ends.
    public func zrangebyscore(
        _ key: String, min: Double, max: Double, limit: (offset: Int, count: Int)? = nil
    ) async throws -> [[UInt8]] {
        var arguments: [RedisArgument] = ["ZRANGEBYSCORE", RedisArgument(key), try Self.score(min), try Self.score(max)]
        if let limit {
            arguments += ["LIMIT", RedisArgument(limit.offset), RedisArgument(limit.count)]
        }
        return try await send(arguments).bulkArray()
    }

    /// ZREMRANGEBYSCORE key min max; returns how many members were removed
    /// (e.g. every registration whose expiry score is in the past).
    @discardableResult
    public func zremrangebyscore(_ key: String, min: Double, max: Double) async throws -> Int {
        Int(try await send("ZREMRANGEBYSCORE", RedisArgument(key), try Self.score(min), try Self.score(max)).integer())
    }

    private static func score(_ value: Double) throws(RedisError) -> RedisArgument {
        guard !value.isNaN else { throw RedisError(.invalidArgument, "a sorted-set score cannot be NaN") }
        return RedisArgument(score: value)
    }
}


/// When SET writes the value.
public struct RedisSetCondition: Hashable, Sendable {
    let argument: RedisArgument?

    /// Always write (plain SET).
    public static let always = RedisSetCondition(argument: nil)
    /// Only if the key does not exist (NX): claims and locks.
    public static let ifNotExists = RedisSetCondition(argument: "NX")
    /// Only if the key exists (XX): refreshing a registration that must not be resurrected.
    public static let ifExists = RedisSetCondition(argument: "XX")
}

/// String keys, expiry, pub/sub publishing and scripts.
extension RedisClient {
    /// PING; returns `PONG`.
    public func ping() async throws -> String {
        let reply = try await send("PING")
        return String(decoding: try reply.bulkBytes() ?? [], as: UTF8.self)
    }

    /// SET key value [PX milliseconds] [NX|XX].
    ///
    /// - Parameter expiresIn: time to live, sent as PX in whole milliseconds (at least 1 ms).
    /// - Returns: whether the value was written (false only when `condition` prevented it).
    @discardableResult
    public func set(
        _ key: String, _ value: some RedisArgumentConvertible,
        expiresIn: Duration? = nil, condition: RedisSetCondition = .always
    ) async throws -> Bool {
        var arguments: [RedisArgument] = ["SET", RedisArgument(key), value.redisArgument]
        if let expiresIn {
            arguments += ["PX", RedisArgument(try Self.milliseconds(expiresIn))]
        }
        if let argument = condition.argument { arguments.append(argument) }
        let reply = try await send(arguments)
        switch reply {
        case .string("OK"): return true
        case .bulk(nil): return false
        default: throw RedisError.unexpected(reply, expected: "OK or nil")
        }
    }

    /// GET key; nil if the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        try await send("GET", RedisArgument(key)).bulkBytes()
    }

    /// GET key, decoded as UTF-8; nil if the key does not exist.
    public func getString(_ key: String) async throws -> String? {
        try await get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// DEL key…; returns how many keys existed.
    @discardableResult
    public func del(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return Int(try await send(["DEL"] + keys.map { RedisArgument($0) }).integer())
    }

    /// DEL key…; returns how many keys existed.
    @discardableResult
    public func del(_ keys: String...) async throws -> Int {
        try await del(keys)
    }

    /// EXISTS key; whether the key exists.
    public func exists(_ key: String) async throws -> Bool {
        try await send("EXISTS", RedisArgument(key)).integer() > 0
    }

    /// EXPIRE key seconds; false if the key does not exist.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await send("EXPIRE", RedisArgument(key), RedisArgument(seconds)).integer() == 1
    }

    /// PEXPIRE key milliseconds; false if the key does not exist.
    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int) async throws -> Bool {
        try await send("PEXPIRE", RedisArgument(key), RedisArgument(milliseconds)).integer() == 1
    }

    /// PEXPIRE with a `Duration` (whole milliseconds, at least 1).
    @discardableResult
    public func expire(_ key: String, after duration: Duration) async throws -> Bool {
        try await pexpire(key, milliseconds: try Self.milliseconds(duration))
    }

    /// PTTL key: remaining time to live in milliseconds; -1 without expiry, -2 if missing.
    public func pttl(_ key: String) async throws -> Int64 {
        try await send("PTTL", RedisArgument(key)).integer()
    }

    /// PUBLISH channel message; returns how many subscribers (on this server) received it.
    @discardableResult
    public func publish(_ channel: String, _ message: some RedisArgumentConvertible) async throws -> Int {
        Int(try await send("PUBLISH", RedisArgument(channel), message.redisArgument).integer())
    }

    /// EVAL script numkeys key… arg…; returns the script's reply as is.
    public func eval(_ script: String, keys: [String] = [], arguments: [RedisArgument] = []) async throws -> RESPValue {
        try await send(["EVAL", RedisArgument(script), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + arguments)
    }

    /// A duration as whole milliseconds for PX/PEXPIRE, rounded up so short TTLs do not become 0.
    static func milliseconds(_ duration: Duration) throws(RedisError) -> Int {
        guard duration > .zero else { throw RedisError(.invalidArgument, "expiry must be positive, got \(duration)") }
        let nanoseconds = duration.nanoseconds
        return Int((nanoseconds + 999_999) / 1_000_000)
    }
}

/// One binary-safe argument of a Redis command (a RESP bulk string on the wire).
///
/// Build one from a `String` (UTF-8), bytes, or an integer; string and integer literals work directly:
/// `client.send("SET", "greeting", RedisArgument(bytes))`.
public struct RedisArgument: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The argument's bytes as sent.
    public var bytes: [UInt8]

    /// An argument from raw bytes.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// An argument from a string's UTF-8 bytes.
    public init(_ string: some StringProtocol) {
        self.bytes = Array(string.utf8)
    }

    /// An integer in decimal, as Redis expects for counts, TTLs and indexes.
    public init(_ integer: some BinaryInteger) {
        self.bytes = Array(String(integer).utf8)
    }

    /// A score for sorted-set commands: `+inf`/`-inf` for infinities, otherwise the shortest
    /// round-tripping decimal. NaN is not a valid score and is rejected by the helpers before this.
    public init(score: Double) {
        if score == .infinity {
            self.bytes = Array("+inf".utf8)
        } else if score == -.infinity {
            self.bytes = Array("-inf".utf8)
        } else {
            self.bytes = Array(score.description.utf8)
        }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

/// A value the typed helpers accept as a key member, field or value: `String`, `Substring`,
/// `[UInt8]`, integers, or a `RedisArgument`.
public protocol RedisArgumentConvertible: Sendable {
    /// The argument sent for this value.
    var redisArgument: RedisArgument { get }
}

extension RedisArgument: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { self }
}

extension String: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Substring: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Int: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

extension Int64: RedisArgumentConvertible {
    public var redisArgument: RedisArgument { RedisArgument(self) }
}

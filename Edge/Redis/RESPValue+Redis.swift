
/// Accessors the typed helpers use to read replies; each throws `.unexpectedReply` when the
/// reply has another shape, so a surprising server answer is an error, never a crash.
extension RESPValue {
    /// The bytes of a bulk or simple string; nil for the null bulk string.
    public func bulkBytes() throws(RedisError) -> [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .string(let text): return Array(text.utf8)
        default: throw .unexpected(self, expected: "a bulk string")
        }
    }

    /// The integer of an integer reply.
    public func integer() throws(RedisError) -> Int64 {
        guard case .integer(let value) = self else { throw .unexpected(self, expected: "an integer") }
        return value
    }

    /// The elements of an array reply; the null array and null bulk string read as empty.
    public func elements() throws(RedisError) -> [RESPValue] {
        switch self {
        case .array(let elements): return elements ?? []
        case .bulk(nil): return []
        default: throw .unexpected(self, expected: "an array")
        }
    }

    /// The bytes of every element of an array of bulk strings (nil elements are skipped).
    public func bulkArray() throws(RedisError) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for element in try elements() {
            if let bytes = try element.bulkBytes() { result.append(bytes) }
        }
        return result
    }

    /// Whether this is the `+OK` status reply.
    public var isOK: Bool { self == .string("OK") }
}

extension RedisError {
    /// The reply did not have the shape a typed helper expects.
    static func unexpected(_ value: RESPValue, expected: String) -> RedisError {
        let text = String(describing: value)
        return RedisError(.unexpectedReply, "expected \(expected), got \(text.prefix(200))")
    }
}

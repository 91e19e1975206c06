internal import CHiredis

/// Formats Redis commands as RESP arrays of bulk strings with hiredis's
/// `redisFormatCommandArgv`, which is binary-safe and not variadic.
public enum RESPCommand {
    /// Formats a command from UTF-8 arguments, e.g. `format(["SET", "k", "v"])`.
    public static func format(_ arguments: [String]) -> [UInt8] {
        format(arguments.map { Array($0.utf8) })
    }

    /// Formats a command from binary arguments.
    /// Allocation failure inside hiredis traps, like any Swift allocation failure.
    public static func format(_ arguments: [[UInt8]]) -> [UInt8] {
        // One contiguous copy of all arguments; argv points into it.
        let joined = arguments.flatMap { $0 }
        let lengths = arguments.map(\.count)
        return joined.withUnsafeBufferPointer { storage in
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(arguments.count)
            var offset = 0
            // A non-null pointer even for empty arguments.
            let base = storage.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1)!
            for length in lengths {
                argv.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>?
            let count = redisFormatCommandArgv(&target, Int32(argv.count), &argv, lengths)
            guard count >= 0, let target else {
                fatalError("redisFormatCommandArgv: out of memory")
            }
            defer { redisFreeCommand(target) }
            return Array(UnsafeRawBufferPointer(start: target, count: Int(count)))
        }
    }
}

import NIOCore

/// Writes a command as a RESP array of bulk strings, formatted by hiredis's
/// `redisFormatCommandArgv` (via `RESPCommand`), which is binary-safe.
struct RESPEncoder: MessageToByteEncoder {
    typealias OutboundIn = [RedisArgument]

    func encode(data: [RedisArgument], out: inout ByteBuffer) throws {
        out.writeBytes(RESPCommand.format(data.map(\.bytes)))
    }
}

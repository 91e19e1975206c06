/// One RESP2 reply (the Redis serialization protocol).
public enum RESPValue: Hashable, Sendable {
    /// A simple string (`+OK`).
    case string(String)
    /// An error reply (`-ERR …`).
    case error(String)
    /// An integer reply (`:42`).
    case integer(Int64)
    /// A bulk string (`$3 foo`), or nil for the null bulk string (`$-1`).
    case bulk([UInt8]?)
    /// An array (`*2 …`), or nil for the null array (`*-1`).
    ///
    /// hiredis 0.14 reports `$-1` and `*-1` identically, so `RESPReader` returns
    /// `.bulk(nil)` for both; `.array(nil)` is never produced by it.
    case array([RESPValue]?)
}

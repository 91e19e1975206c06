import Foundation
import Glibc

/// A WebSocket upgrade over a plain socket, for what a client library can miss: the close frame
/// a server sends right behind its 101 response (HummingbirdWSClient sometimes drops it, and the
/// FIN after it, when both arrive in one read). Reads the response and the frames after it
/// itself, so it sees exactly what the server sent.
public enum RawWebSocket {
    /// The close code of the first close frame the server sends after upgrading `path`
    /// (e.g. `/ws?token=…`) on 127.0.0.1:`port`; nil when the connection ends without one, or
    /// nothing arrives for `timeout`. Throws when the upgrade is refused (no 101).
    public static func closeCode(port: Int, path: String, timeout: Duration = .seconds(15)) throws -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard connectLoopback(fd, port: port) else { throw TestFailure("connect to 127.0.0.1:\(port): errno \(errno)") }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        let sent = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.utf8.count else { throw TestFailure("send: errno \(errno)") }

        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var frames: Int?  // where the frames start, once the response head is read
        while true {
            if let start = frames, let code = firstCloseCode(Array(received[start...])) { return code }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }  // closed without a close frame, or timed out
            received += chunk[..<count]
            if frames == nil, let end = headEnd(received) {
                let head = String(decoding: received[..<end], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 101") else {
                    throw TestFailure("upgrade of \(path) refused: \(head.prefix(200))")
                }
                frames = end + 4
            }
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index..<index + 4].elementsEqual([13, 10, 13, 10]) { return index }
        return nil
    }

    /// Walks the server's (unmasked) frames; the code of the first close frame once complete.
    private static func firstCloseCode(_ bytes: [UInt8]) -> UInt16? {
        var index = 0
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard index + 4 <= bytes.count else { return nil }
                length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                header = 4
            } else if length == 127 {
                guard index + 10 <= bytes.count else { return nil }
                length = bytes[(index + 2)..<(index + 10)].reduce(0) { $0 << 8 | Int($1) }
                header = 10
            }
            guard index + header + length <= bytes.count else { return nil }
            if opcode == 0x8 {
                guard length >= 2 else { return 1005 }  // no status code (RFC 6455 §7.1.5)
                return UInt16(bytes[index + header]) << 8 | UInt16(bytes[index + header + 1])
            }
            index += header + length
        }
        return nil
    }
}

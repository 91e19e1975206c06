import Foundation
import IntegrationSupport
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/2 slow reader (issue 11, slow read): a real HTTP/2 client, nghttp, asks for one
/// answer `streams` times on one TLS connection, granting the largest windows (2^30 - 1 per
/// stream and for the connection, so HTTP/2 flow control holds nothing back), and is stopped
/// with SIGSTOP once its first DATA frame has arrived: from then on it reads nothing, and
/// whatever the server answers piles up on the server's side. `resume` lets it run again to
/// see that the server closed the connection.
struct HTTP2SlowReader {
    let process: ChildProcess

    /// nil when nghttp ended before it was stopped (it could not connect, or got everything).
    static func open(url: String, streams: Int, log: URL) async throws -> HTTP2SlowReader? {
        let process = try ChildProcess("/usr/bin/nghttp", arguments: [
            "--verbose", "--null-out", "--multiply=\(streams)", "--window-bits=30", "--connection-window-bits=30", url,
        ], name: "nghttp", log: log)
        _ = await eventually(timeout: .seconds(30)) { !process.isRunning || process.log.contains("recv DATA frame") }
        guard process.isRunning, process.log.contains("recv DATA frame") else {
            await process.crash()
            return nil
        }
        process.signal(SIGSTOP)
        return HTTP2SlowReader(process: process)
    }

    /// Lets nghttp read again; true when it then ended within `timeout` (its connection was
    /// closed: it cannot have received the whole of what it asked for).
    func resume(timeout: Duration) async -> Bool {
        process.signal(SIGCONT)
        return await process.waitForExit(timeout: timeout) != nil
    }

    func kill() async { await process.crash() }
}

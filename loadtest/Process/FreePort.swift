#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP port in `range` that nothing is bound to right now (keep `range` below the
/// ephemeral range, which starts at 32768, so no outgoing connection takes it meanwhile).
public func freeLoopbackPort(in range: Range<Int>) throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: range)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    throw ProcessError("no free port found in \(range)")
}

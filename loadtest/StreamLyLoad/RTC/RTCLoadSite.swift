#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import StreamLyNetem

/// One edge of a `streamly-load rtc` run and the client host its participants connect from:
/// loopback, or a network namespace of the regions world (infra/regions.sh), where each
/// participant's WebSocket and UDP sockets are opened so that its signaling and media cross
/// the emulated links between that region's clients and the edge.
struct RTCLoadSite: Sendable {
    var edge: EdgeAddress
    /// The namespace the participants' sockets are opened in (nil: this process's own).
    var namespace: String?
    /// The address those sockets bind, which the participants' candidates carry.
    var address: String
    /// The edge's process and operator address, for its CPU, RSS and metrics.
    var pid: Int32?
    var operatorAddress: EdgeAddress?
}

/// Sockets opened in a network namespace (`setns` on the calling thread while the socket is
/// made; it stays in that namespace). Nil namespace: this process's own.
enum NamespaceSocket {
    /// A non-blocking UDP socket bound to `address` (port chosen by the kernel) in `namespace`.
    static func udp(in namespace: String?, address: String) throws -> NIOBSDSocket.Handle {
        try NamespaceEntry.run(in: namespace) {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw RTCLoadSDP.Failure(description: "socket: errno \(errno)") }
            do {
                try Self.bind(fd, to: address)
                return fd
            } catch {
                close(fd)
                throw error
            }
        }
    }

    /// A TCP socket in `namespace` from `address`, connected to `edge` (blocking, on NIO's
    /// thread pool, at most 5 s).
    static func tcp(in namespace: String?, from address: String, to edge: EdgeAddress) async throws -> NIOBSDSocket.Handle {
        let fd = try NamespaceEntry.run(in: namespace) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw RTCLoadSDP.Failure(description: "socket: errno \(errno)") }
            return fd
        }
        do {
            try await NIOThreadPool.singleton.runIfActive {
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                try Self.bind(fd, to: address)
                var target = try Self.inet(edge.host, port: edge.port)
                let result = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard result == 0 else { throw RTCLoadSDP.Failure(description: "connect to \(edge) from \(address): errno \(errno)") }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func bind(_ fd: Int32, to address: String) throws {
        var local = try inet(address, port: 0)
        let result = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw RTCLoadSDP.Failure(description: "bind \(address): errno \(errno)") }
    }

    private static func inet(_ host: String, port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw RTCLoadSDP.Failure(description: "\(host) is not an IPv4 address")
        }
        return address
    }
}

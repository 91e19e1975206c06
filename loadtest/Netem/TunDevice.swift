#if canImport(Glibc)
import Glibc

/// An open TUN device (IPv4/IPv6 packets without a packet-information header), attached in a
/// network namespace. Owns the descriptor; closes it in `deinit`.
public final class TunDevice: Sendable {
    public let name: String
    public let fd: Int32

    private static let tunSetIFF: UInt = 0x4004_54CA  // _IOW('T', 202, int)
    private static let iffTun: Int16 = 0x0001
    private static let iffNoPI: Int16 = 0x1000

    /// Attaches to device `name` (created with `ip tuntap add dev NAME mode tun`, or created
    /// here if absent) in namespace `namespace`, non-blocking.
    public init(name: String, namespace: String?) throws {
        let fd = try NamespaceEntry.run(in: namespace) { () throws -> Int32 in
            let fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { throw NetemError("cannot open /dev/net/tun: errno \(errno)") }
            // struct ifreq: the name (16 bytes) then the flags (a short) in a 24-byte union.
            var request = [UInt8](repeating: 0, count: 40)
            for (index, byte) in name.utf8.prefix(15).enumerated() { request[index] = byte }
            let flags = Self.iffTun | Self.iffNoPI
            withUnsafeBytes(of: flags) { bytes in
                request[16] = bytes[0]
                request[17] = bytes[1]
            }
            let result = request.withUnsafeMutableBytes { ioctl(fd, Self.tunSetIFF, $0.baseAddress!) }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw NetemError("cannot attach TUN device \(name) in \(namespace ?? "this namespace"): errno \(code)")
            }
            return fd
        }
        self.name = name
        self.fd = fd
    }

    deinit { close(fd) }

    /// Reads one packet into `buffer`; nil when none is waiting.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
        return count > 0 ? count : nil
    }

    /// Writes one packet (dropped if the device cannot take it now).
    public func write(_ packet: [UInt8]) {
        _ = packet.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
#endif

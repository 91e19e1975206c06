import NIOCore

extension TransportAddress {
    /// The IP and port of a NIO socket address; nil for Unix domain sockets.
    init?(_ address: SocketAddress) {
        guard let port = address.port else { return nil }
        switch address {
        case .v4(let v4):
            self.init(ip: .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr)), port: UInt16(port))
        case .v6(let v6):
            let octets = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            guard let ip = IPAddress(octets: octets) else { return nil }
            self.init(ip: ip, port: UInt16(port))
        case .unixDomainSocket:
            return nil
        }
    }
}

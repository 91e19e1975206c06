import NIOCore
import Testing
@testable import StreamLyEdge
import StreamLyListeners

@Suite("Connection limiter")
struct ConnectionLimiterTests {
    static func address(_ ip: String) throws -> ClientAddress { ClientAddress(try SocketAddress(ipAddress: ip, port: 40_000)) }

    @Test("over the per-address cap a client is refused, others still get in; a close makes room")
    func perAddress() throws {
        let limiter = ConnectionLimiter(limits: ConnectionLimits(maxConnections: 100, maxConnectionsPerAddress: 2))
        let a = try Self.address("10.0.0.1"), b = try Self.address("10.0.0.2")
        #expect(limiter.admit(a) == .admitted)
        #expect(limiter.admit(a) == .admitted)
        #expect(limiter.admit(a) == .refusedPerAddress)
        #expect(limiter.admit(b) == .admitted)
        #expect(limiter.openConnections == 3 && limiter.openConnections(from: a) == 2)
        limiter.release(a)
        #expect(limiter.admit(a) == .admitted)
    }

    @Test("over the total cap everyone is refused until one closes")
    func total() throws {
        let limiter = ConnectionLimiter(limits: ConnectionLimits(maxConnections: 3, maxConnectionsPerAddress: 10))
        let clients = try (1...4).map { try Self.address("192.168.1.\($0)") }
        for client in clients.prefix(3) { #expect(limiter.admit(client) == .admitted) }
        #expect(limiter.admit(clients[3]) == .refusedTotal)
        #expect(limiter.admit(clients[0]) == .refusedTotal)
        limiter.release(clients[1])
        #expect(limiter.admit(clients[3]) == .admitted)
        #expect(limiter.openConnections(from: clients[1]) == 0)
    }

    @Test("IPv6 addresses count by /64; an IPv4-mapped address counts as its IPv4 address")
    func addressKeys() throws {
        #expect(try Self.address("2001:db8:1:2::1") == Self.address("2001:db8:1:2:ffff::9"))
        #expect(try Self.address("2001:db8:1:2::1") != Self.address("2001:db8:1:3::1"))
        #expect(try Self.address("::ffff:10.1.2.3") == Self.address("10.1.2.3"))
        #expect(try Self.address("10.1.2.3") != Self.address("10.1.2.4"))
        #expect(try Self.address("10.1.2.3").description == "10.1.2.3")
        #expect(try Self.address("2001:db8:1:2::1").description == "2001:db8:1:2::/64")
        #expect(ClientAddress(nil) == ClientAddress(nil))
    }

    @Test("the total is lowered to the open-file limit less the reserve, and says so")
    func fittedToOpenFiles() {
        var limits = ListenerLimits()
        limits.connections = ConnectionLimits(maxConnections: 16_000, maxConnectionsPerAddress: 256)
        let (lowered, note) = limits.connections(openFileLimit: 4_096)
        #expect(lowered.maxConnections == 4_096 - ListenerLimits.reservedDescriptors)
        #expect(lowered.maxConnectionsPerAddress == 256)
        #expect(note?.contains("connections.max=16000 lowered to 3072") == true)
        let (kept, none) = limits.connections(openFileLimit: 20_000)
        #expect(kept.maxConnections == 16_000 && none == nil)
        #expect(limits.connections(openFileLimit: nil).limits.maxConnections == 16_000)
    }
}

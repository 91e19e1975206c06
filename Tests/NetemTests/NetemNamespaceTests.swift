import Foundation
import Glibc
import StreamLyNetem
import StreamLyProcess
import Testing

/// The emulator between real network namespaces: UDP round trips measured between TUN devices
/// match the configured one-way delays (within 10%).
@Suite("Netem between network namespaces", .serialized)
struct NetemNamespaceTests {
    static var isSupported: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") }

    /// Namespaces `<prefix>0…` each with a TUN device `sltun` holding 10.78.<slot>.<i+1>/24.
    struct World {
        let names: [String]
        let addresses: [String]

        init(hosts: Int) throws {
            let pid = Int(getpid())
            let slot = pid % 200 + 20
            names = (0..<hosts).map { "slnetem\(pid)h\($0)" }
            addresses = (0..<hosts).map { "10.78.\(slot).\($0 + 1)" }
            do {
                for (name, address) in zip(names, addresses) {
                    try Self.ip(["netns", "add", name])
                    try Self.ip(["-n", name, "tuntap", "add", "dev", "sltun", "mode", "tun"])
                    try Self.ip(["-n", name, "addr", "add", "\(address)/24", "dev", "sltun"])
                    try Self.ip(["-n", name, "link", "set", "sltun", "up"])
                    try Self.ip(["-n", name, "link", "set", "lo", "up"])
                }
            } catch {
                remove()
                throw error
            }
        }

        func remove() {
            for name in names { _ = try? ChildProcess.runBlocking("/usr/sbin/ip", ["netns", "delete", name]) }
        }

        static func ip(_ arguments: [String]) throws {
            let (status, output) = try ChildProcess.runBlocking("/usr/sbin/ip", arguments)
            guard status == 0 else {
                throw NetemError("ip \(arguments.joined(separator: " ")): \(String(decoding: output, as: UTF8.self))")
            }
        }
    }

    /// A UDP socket bound to `address`:`port` inside namespace `name`.
    static func socket(in name: String, address: String, port: UInt16) throws -> Int32 {
        try NamespaceEntry.run(in: name) {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_port = port.bigEndian
            inet_pton(AF_INET, address, &local.sin_addr)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw NetemError("bind \(address):\(port) failed: errno \(errno)") }
            return fd
        }
    }

    /// Echoes every datagram on `fd` back to its sender until `fd` is closed.
    static func echo(_ fd: Int32) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 2_048)
            while true {
                var peer = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
                }
                if count < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    return
                }
                _ = withUnsafePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buffer, count, 0, $0, length) }
                }
            }
        }
    }

    static func socketAddress(_ address: String, port: UInt16) -> sockaddr_in {
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &remote.sin_addr)
        return remote
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], to remote: sockaddr_in) {
        var remote = remote
        _ = withUnsafePointer(to: &remote) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Probes from `fd` to `address`:`port` until one datagram reaches `receiver` (the probe's
    /// echo, or the sink itself), then drains `receiver`. A TUN device carries traffic only once
    /// the kernel has activated its queue after the carrier came up (linkwatch, asynchronous:
    /// up to a second, longer on a loaded machine); a datagram sent before vanishes without
    /// reaching the emulator. The probes are 8 bytes of 0xFF: `roundTrip` skips them if late.
    static func awaitPath(from fd: Int32, to address: String, port: UInt16, receiver: Int32) throws {
        let remote = socketAddress(address, port: port)
        var buffer = [UInt8](repeating: 0, count: 2_048)
        for _ in 0..<100 {
            send(fd, [UInt8](repeating: 0xFF, count: 8), to: remote)
            var ready = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            repeat { _ = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT)) } while poll(&ready, 1, 100) > 0
            return
        }
        throw NetemError("no datagram from \(fd) reached \(address):\(port) in 10 s")
    }

    /// Median round trip, in ms, of `count` probes from `fd` to `address`:`port`, one at a time.
    static func roundTrip(from fd: Int32, to address: String, port: UInt16, count: Int = 15) throws -> Double {
        let remote = socketAddress(address, port: port)
        var samples: [Double] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        for probe in 0..<count {
            let start = DispatchTime.now().uptimeNanoseconds
            send(fd, withUnsafeBytes(of: UInt64(probe)) { Array($0) }, to: remote)
            // Wait for this probe's echo (a late one of an earlier probe is skipped).
            while true {
                let received = recv(fd, &buffer, buffer.count, 0)
                guard received >= 8 else { throw NetemError("probe \(probe) to \(address) got no echo") }
                if buffer.withUnsafeBytes({ $0.loadUnaligned(as: UInt64.self) }) == UInt64(probe) { break }
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }

    @Test("measured round trips are within 10% of twice the configured one-way delay, for each pair of three groups",
          .enabled(if: isSupported, "needs root and ip for network namespaces"))
    func roundTrips() throws {
        let world = try World(hosts: 3)
        defer { world.remove() }
        let groups = ["eu", "us", "ap"]
        let configuration = NetemConfiguration(
            ports: zip(world.names, zip(world.addresses, groups)).map { name, pair in
                .init(namespace: name, device: "sltun", group: pair.1, addresses: [pair.0])
            },
            links: [.init(between: ["eu", "us"], profile: LinkProfile(delayMS: 40)),
                    .init(between: ["eu", "ap"], profile: LinkProfile(delayMS: 70)),
                    .init(between: ["us", "ap"], profile: LinkProfile(delayMS: 110))])
        let netem = try Netem(configuration: configuration)
        netem.start()
        defer { netem.stop() }
        let sockets = try zip(world.names, world.addresses).map { try Self.socket(in: $0, address: $1, port: 7_007) }
        let clients = try zip(world.names, world.addresses).map { try Self.socket(in: $0, address: $1, port: 7_008) }
        defer { for fd in sockets + clients { close(fd) } }
        for fd in sockets { Self.echo(fd) }
        for (a, b, oneWay) in [(0, 1, 40.0), (0, 2, 70.0), (1, 2, 110.0), (1, 0, 40.0)] {
            try Self.awaitPath(from: clients[a], to: world.addresses[b], port: 7_007, receiver: clients[a])
            let measured = try Self.roundTrip(from: clients[a], to: world.addresses[b], port: 7_007)
            let configured = 2 * oneWay
            print("netem: \(groups[a]) → \(groups[b]) round trip \(String(format: "%.2f", measured)) ms (configured \(configured) ms)")
            #expect(abs(measured - configured) <= configured * 0.1, "\(groups[a])→\(groups[b]): \(measured) ms vs \(configured) ms")
        }
        #expect(netem.counts.forwarded > 0)
    }

    @Test("loss and bandwidth act on real traffic: a lossy link drops some probes, a slow one spaces a burst",
          .enabled(if: isSupported, "needs root and ip for network namespaces"))
    func lossAndBandwidth() throws {
        let world = try World(hosts: 2)
        defer { world.remove() }
        let configuration = NetemConfiguration(
            ports: [.init(namespace: world.names[0], device: "sltun", group: "a", addresses: [world.addresses[0]]),
                    .init(namespace: world.names[1], device: "sltun", group: "b", addresses: [world.addresses[1]])],
            links: [.init(between: ["a", "b"], profile: LinkProfile(delayMS: 5, loss: 0.5, rateKbps: 800, queueMS: 10_000))])
        let netem = try Netem(configuration: configuration)
        netem.start()
        defer { netem.stop() }
        let sink = try Self.socket(in: world.names[1], address: world.addresses[1], port: 7_009)
        let source = try Self.socket(in: world.names[0], address: world.addresses[0], port: 7_010)
        defer { close(sink); close(source) }
        try Self.awaitPath(from: source, to: world.addresses[1], port: 7_009, receiver: sink)
        let before = netem.counts
        // 200 datagrams of 1,000 bytes (+28 of headers) at once: at 800 kbit/s the survivors take
        // ~10.3 ms each on the wire; about half are lost.
        let remote = Self.socketAddress(world.addresses[1], port: 7_009)
        let payload = [UInt8](repeating: 7, count: 1_000)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<200 { Self.send(source, payload, to: remote) }
        var received = 0
        var last = start
        var buffer = [UInt8](repeating: 0, count: 2_048)
        while true {
            let count = recv(sink, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            guard count == payload.count else { continue }  // a late probe
            received += 1
            last = DispatchTime.now().uptimeNanoseconds
        }
        let span = Double(last - start) / 1e6
        let after = netem.counts
        let lost = after.lost - before.lost
        print("netem: loss 0.5 dropped \(lost) of 200; \(received) arrived over \(String(format: "%.1f", span)) ms at 800 kbit/s",
              "(forwarded \(after.forwarded - before.forwarded), queue full \(after.queueFull - before.queueFull),",
              "dropped \(after.dropped - before.dropped))")
        #expect(received + lost == 200)
        // Binomial(200, 0.5): outside 50…150 has probability < 1e-12.
        #expect((50...150).contains(received))
        // Each survivor needs its transmission time: the burst cannot arrive faster than the rate allows.
        let wire = Double(received) * 1_028 * 8 / 800
        #expect(span >= wire * 0.9, "\(received) packets in \(span) ms, \(wire) ms of transmission")
    }
}

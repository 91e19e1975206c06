#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization

/// The userspace link emulator: forwards IPv4 packets between TUN devices in network
/// namespaces (one per host), each through the `LinkShaper` of its source and destination
/// groups, on one thread of its own. These kernels have no `tc netem`; this is what the
/// regions world (`infra/regions.sh`) is joined through.
public final class Netem: Sendable {
    public struct Counters: Sendable, Equatable {
        public var forwarded = 0
        public var lost = 0
        public var queueFull = 0
        /// Packets to an address no port has (IPv6 included), or over the queue's bound.
        public var dropped = 0
    }

    /// Most packets in flight across all links (memory bound).
    public static let maxQueued = 200_000
    private static let maxPacket = 65_536

    private let configuration: NetemConfiguration
    private let devices: [TunDevice]
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = Atomic<Bool>(false)
    private let counters = Mutex(Counters())
    private let finished = Mutex<Bool>(false)

    /// Attaches every port's device; nothing moves until `start()`.
    public init(configuration: NetemConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        // A TunDevice is not Sendable; after init only the forwarding thread touches them.
        devices = try configuration.ports.map { try TunDevice(name: $0.device, namespace: $0.namespace) }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw NetemError("pipe failed: errno \(errno)") }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    public var counts: Counters { counters.withLock { $0 } }

    /// Starts forwarding on a thread of its own.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.withLock { $0 = true }
        }
        thread.name = "netem"
        thread.start()
    }

    /// Stops forwarding; packets in flight are dropped.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        while !finished.withLock({ $0 }) { usleep(1_000) }
    }

    private typealias PPoll = @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, UnsafePointer<timespec>?, UnsafeRawPointer?) -> Int32
    private static let ppoll: PPoll = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ppoll")!, to: PPoll.self)

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    private func run() {
        let ports = configuration.ports
        var routes: [UInt32: Int] = [:]
        for (index, port) in ports.enumerated() {
            for address in port.addresses { routes[IPv4.parse(address)!] = index }
        }
        // One shaper per (source port's group, destination port's group) direction.
        var groups: [String: Int] = [:]
        for port in ports where groups[port.group] == nil { groups[port.group] = groups.count }
        let groupOf = ports.map { groups[$0.group]! }
        let names = groups.sorted { $0.value < $1.value }.map(\.key)
        var shapers = (0..<names.count).flatMap { a in
            (0..<names.count).map { b in LinkShaper(profile: configuration.profile(from: names[a], to: names[b])) }
        }
        var queue = PacketQueue()
        var fds = devices.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            + [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.maxPacket, alignment: 8)
        defer { buffer.deallocate() }
        var local = Counters()
        while !stopped.load(ordering: .relaxed) {
            var now = Self.monotonicNanoseconds()
            var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            if let next = queue.nextDeparture {
                let wait = next > now ? next - now : 0
                timeout = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            }
            _ = fds.withUnsafeMutableBufferPointer { Self.ppoll($0.baseAddress, nfds_t($0.count), &timeout, nil) }
            now = Self.monotonicNanoseconds()
            for (source, device) in devices.enumerated() where fds[source].revents & Int16(POLLIN) != 0 {
                // A bounded batch per device per turn, so one busy port cannot starve the others.
                for _ in 0..<256 {
                    guard let count = device.read(into: buffer) else { break }
                    guard count >= 20, buffer[0] >> 4 == 4 else { local.dropped += 1; continue }
                    let destination = UInt32(buffer[16]) << 24 | UInt32(buffer[17]) << 16 | UInt32(buffer[18]) << 8 | UInt32(buffer[19])
                    guard let target = routes[destination], queue.count < Self.maxQueued else { local.dropped += 1; continue }
                    let shaper = groupOf[source] * names.count + groupOf[target]
                    switch shapers[shaper].admit(bytes: count, now: now, lossDraw: Double.random(in: 0..<1),
                                                 jitterDraw: Double.random(in: 0..<1)) {
                    case .deliver(let departure):
                        queue.push(departure: departure, port: target, bytes: Array(buffer[0..<count]))
                    case .lost: local.lost += 1
                    case .queueFull: local.queueFull += 1
                    }
                }
            }
            while let due = queue.popDue(now: Self.monotonicNanoseconds()) {
                devices[due.port].write(due.bytes)
                local.forwarded += 1
            }
            let snapshot = local
            counters.withLock { $0 = snapshot }
        }
    }
}
#endif

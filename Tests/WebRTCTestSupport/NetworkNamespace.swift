import Foundation
import StreamLyProcess
import Synchronization

/// A network namespace joined to this one by a veth pair, for tests with WebRTC peers, which
/// skip loopback candidates (Chromium, aiortc): the edge side binds `hostAddress` (the veth
/// end left here), the peer runs inside the namespace (`command(_:)`) on `peerAddress`.
///
/// Names and the /30 subnet (inside 10.224.0.0/16) come from the process id and a counter,
/// so concurrent test processes and suites do not collide. Needs root. `remove()` deletes the
/// namespace, which deletes both veth ends.
public final class NetworkNamespace: Sendable {
    public let name: String
    /// The veth end in this (the root) namespace: the edge's address.
    public let hostInterface: String
    public let hostAddress: String
    /// The veth end inside the namespace: the peer's address.
    public let peerAddress: String

    private static let counter = Atomic<Int>(0)
    private static let ip = "/usr/sbin/ip"

    private init(name: String, hostInterface: String, hostAddress: String, peerAddress: String) {
        self.name = name
        self.hostInterface = hostInterface
        self.hostAddress = hostAddress
        self.peerAddress = peerAddress
    }

    /// Whether namespaces can be made here (root and `ip` present).
    public static var isSupported: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip)
    }

    /// Creates the namespace, the veth pair, addresses and routes; removes what it made if a
    /// step fails.
    public static func create() throws -> NetworkNamespace {
        let pid = Int(getpid())
        let index = counter.add(1, ordering: .relaxed).newValue
        let slot = (pid * 16 + index) % 16_384
        let base = slot * 4
        let prefix = "10.224.\(base >> 8)"
        let namespace = NetworkNamespace(
            name: "slwrtc\(pid)n\(index)", hostInterface: "slv\(pid)h\(index)",
            hostAddress: "\(prefix).\((base & 0xFF) + 1)", peerAddress: "\(prefix).\((base & 0xFF) + 2)")
        let peerInterface = "slv\(pid)p\(index)"
        do {
            try run(["netns", "add", namespace.name])
            try run(["link", "add", namespace.hostInterface, "type", "veth", "peer", "name", peerInterface])
            try run(["link", "set", peerInterface, "netns", namespace.name])
            try run(["addr", "add", "\(namespace.hostAddress)/30", "dev", namespace.hostInterface])
            try run(["link", "set", namespace.hostInterface, "up"])
            try run(["netns", "exec", namespace.name, ip, "addr", "add", "\(namespace.peerAddress)/30", "dev", peerInterface])
            try run(["netns", "exec", namespace.name, ip, "link", "set", peerInterface, "up"])
            try run(["netns", "exec", namespace.name, ip, "link", "set", "lo", "up"])
        } catch {
            namespace.remove()
            throw error
        }
        return namespace
    }

    /// `arguments` run inside the namespace: `ip netns exec <name> …`.
    public func command(_ arguments: [String]) -> (path: String, arguments: [String]) {
        (Self.ip, ["netns", "exec", name] + arguments)
    }

    /// Deletes the namespace (and with it the veth pair); idempotent.
    public func remove() {
        _ = try? ChildProcess.runBlocking(Self.ip, ["netns", "delete", name])
        _ = try? ChildProcess.runBlocking(Self.ip, ["link", "delete", hostInterface])
    }

    /// Whether the namespace still exists (for the harness's own test).
    public var exists: Bool {
        let listing = (try? ChildProcess.runBlocking(Self.ip, ["netns", "list"]).output) ?? Data()
        return String(decoding: listing, as: UTF8.self).split(separator: "\n")
            .contains { $0.split(separator: " ").first.map(String.init) == name }
    }

    private static func run(_ arguments: [String]) throws {
        let (status, output) = try ChildProcess.runBlocking(ip, arguments)
        guard status == 0 else {
            throw ProcessError("ip \(arguments.joined(separator: " ")) exited \(status): \(String(decoding: output, as: UTF8.self))")
        }
    }
}

#if canImport(Glibc)
import Glibc

/// Runs code with the calling thread inside another network namespace (`setns(2)`), then
/// returns it to its own: sockets and devices opened meanwhile stay in that namespace.
/// Linux only; needs root.
public enum NamespaceEntry {
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    /// `setns` from libc (Swift's Glibc module does not export it).
    private static let setns: SetNS? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return nil }
        return unsafeBitCast(symbol, to: SetNS.self)
    }()
    private static let newNet: Int32 = 0x4000_0000  // CLONE_NEWNET

    /// Runs `body` in namespace `name` (`/var/run/netns/<name>`; nil: here).
    public static func run<Result>(in name: String?, _ body: () throws -> Result) throws -> Result {
        guard let name else { return try body() }
        guard let setns else { throw NetemError("setns is not available") }
        let own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard own >= 0 else { throw NetemError("cannot open this thread's network namespace: errno \(errno)") }
        defer { close(own) }
        let target = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw NetemError("no network namespace \(name): errno \(errno)") }
        defer { close(target) }
        guard setns(target, newNet) == 0 else { throw NetemError("cannot enter namespace \(name): errno \(errno)") }
        defer {
            // Back home; failing here would leave the thread elsewhere: stop loudly.
            if setns(own, newNet) != 0 { fatalError("cannot return from network namespace \(name)") }
        }
        return try body()
    }
}
#endif

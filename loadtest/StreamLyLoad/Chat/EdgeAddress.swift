import ArgumentParser

/// An edge on the command line: `http://127.0.0.1:8080`, `ws://…`, or `host:port`.
/// The load test only runs against loopback or the emulated regions world of
/// infra/regions.sh (10.77.0.0/16, network namespaces on this machine): it opens thousands of
/// connections and publishes at a fixed rate, which is not something to aim at another machine.
struct EdgeAddress: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(_ text: String) {
        var rest = Substring(text)
        for scheme in ["http://", "ws://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65_535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard Self.isLoopback(host) || Self.isRegionsWorld(host) else { return nil }
        self.init(host: host, port: port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// An address of infra/regions.sh's world (10.77.0.0/16, only inside its namespaces).
    static func isRegionsWorld(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "10" && parts[1] == "77" && parts.allSatisfy { UInt8($0) != nil }
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    /// `Host` header value.
    var authority: String { description }
}

/// `--edges URL[,URL]`.
struct EdgeList: ExpressibleByArgument, Sendable {
    var addresses: [EdgeAddress]

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { EdgeAddress(String($0)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        addresses = parsed.map { $0! }
    }

    var defaultValueDescription: String { addresses.map(\.description).joined(separator: ",") }
}

/// `--edge-pid PID[,PID]`.
struct PIDList: ExpressibleByArgument, Sendable {
    var pids: [Int32]

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { Int32($0) }
        guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        pids = parsed.map { $0! }
    }
}

import Foundation

/// The built `streamly-*` executables, started as a test's child processes.
extension ChildProcess {
    /// Where the built executables are: `STREAMLY_BIN_DIR`, else next to the test bundle.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["STREAMLY_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Whether a node's log says it could not bind a port: ports are found free, then bound
    /// by the child, so another test's process may take one meanwhile; the node is then
    /// started again on fresh ports (`TestCluster.startReady`, `EdgeOriginLinkTests.pair`).
    public static func lostAPort(_ log: String) -> Bool { log.contains("Address already in use") }

    /// Secrets every test node shares unless its environment names others: nodes refuse to
    /// start with the public built-in ones (an empty value in `environment` removes one).
    public static let testSecrets = [
        "STREAMLY_CLUSTER_SECRET": "integration-tests-cluster-secret-0123456789abcdef",
        "STREAMLY_AUTH_JWT_SECRET": "integration-tests-access-token-key-0123456789abcdef",
        "STREAMLY_AUTH_PLAYBACK_SECRET": "integration-tests-playback-token-key-0123456789ab",
    ]

    /// Starts `executable` (`streamly-origin`, `streamly-edge`) with the parent's environment
    /// minus its `STREAMLY_*` variables but those named in `inheriting` (so `LD_LIBRARY_PATH`
    /// passes through), plus `testSecrets` (and, for edges, `STREAMLY_RTC_PORT=0`), plus
    /// `environment`; its output goes to a log file of its own.
    public static func streamly(_ executable: String, name: String, environment: [String: String],
                                inheriting: Set<String> = [], arguments: [String] = []) throws -> ChildProcess {
        let binary = binDirectory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("\(binary.path) is missing: build with `swift build --build-tests` first")
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-it-\(name)-\(UUID().uuidString.prefix(8)).log")
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STREAMLY_") || inheriting.contains($0.key) }
        env.merge(testSecrets) { $1 }
        // Edges of concurrent tests must not share the media port: the kernel picks one.
        if executable == "streamly-edge" { env["STREAMLY_RTC_PORT"] = "0" }
        env.merge(environment) { $1 }
        return try ChildProcess(binary.path, arguments: arguments, environment: env, name: name, log: log)
    }
}

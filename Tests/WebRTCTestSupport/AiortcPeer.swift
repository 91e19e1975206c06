import Foundation
import StreamLyProcess

/// A real aiortc peer (PyPI `aiortc`, installed into `.state/venv` by `infra/install.sh`)
/// running `Scripts/aiortc_peer.py` inside a `NetworkNamespace`. Signalling goes through
/// files in a private directory: `offer()` waits for its offer, `answer(_:)` hands it the
/// edge's answer, `result()` waits for what it decoded.
public final class AiortcPeer: Sendable {
    /// What the peer saw, from its `result.json`.
    public struct Result: Decodable, Sendable {
        public var connectionStates: [String]
        /// Width and height of every decoded video frame.
        public var videoFrames: [[Int]]
        public var audioFrames: Int
        public var iceState: String?
        public var dtlsState: String?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case connectionStates = "connection_states", videoFrames = "video_frames", audioFrames = "audio_frames"
            case iceState = "ice_state", dtlsState = "dtls_state", error
        }
    }

    public let process: ChildProcess
    public let directory: URL

    /// Starts the peer. `direction` is `sendrecv` (tracks added with `addTrack`, as simple
    /// clients do) or `sendonly`; it stops after decoding the given frame counts or `seconds`.
    public init(in namespace: NetworkNamespace, direction: String = "sendrecv", videoFrames: Int = 10,
                audioFrames: Int = 10, seconds: Int = 30) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-aiortc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let python = Self.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ProcessError("no Python with aiortc at \(python): run infra/install.sh")
        }
        let (path, arguments) = namespace.command([
            python, Self.script, "--dir", directory.path, "--direction", direction,
            "--video-frames", "\(videoFrames)", "--audio-frames", "\(audioFrames)", "--seconds", "\(seconds)",
        ])
        self.directory = directory
        self.process = try ChildProcess(path, arguments: arguments, name: "aiortc",
                                        log: directory.appendingPathComponent("aiortc.log"))
    }

    /// The peer's offer SDP.
    public func offer(timeout: Duration = .seconds(30)) async throws -> String {
        try await waitForFile("offer.sdp", timeout: timeout)
    }

    /// Hands the peer the answer.
    public func answer(_ sdp: String) throws {
        let path = directory.appendingPathComponent("answer.sdp")
        let temporary = directory.appendingPathComponent("answer.sdp.tmp")
        try sdp.write(to: temporary, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(at: temporary, to: path)
    }

    /// Asks the peer to stop waiting and write its result now.
    public func stop() {
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("stop").path, contents: Data())
    }

    /// What the peer decoded, once it finished.
    public func result(timeout: Duration = .seconds(60)) async throws -> Result {
        let text = try await waitForFile("result.json", timeout: timeout)
        return try JSONDecoder().decode(Result.self, from: Data(text.utf8))
    }

    /// Stops the process and deletes the directory.
    public func terminate() async {
        await process.stop(grace: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitForFile(_ name: String, timeout: Duration) async throws -> String {
        let path = directory.appendingPathComponent(name)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: path, encoding: .utf8) { return text }
            guard process.isRunning else {
                if let text = try? String(contentsOf: path, encoding: .utf8) { return text }
                throw ProcessError("aiortc exited without \(name)\n\(process.logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessError("aiortc wrote no \(name) within \(timeout)\n\(process.logTail())")
    }

    /// The repository root, from this file's path.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `STREAMLY_VENV`/bin/python, else the repository's `.state/venv`.
    static var python: String {
        if let venv = ProcessInfo.processInfo.environment["STREAMLY_VENV"] { return venv + "/bin/python" }
        return repositoryRoot.appendingPathComponent(".state/venv/bin/python").path
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/aiortc_peer.py").path
    }
}

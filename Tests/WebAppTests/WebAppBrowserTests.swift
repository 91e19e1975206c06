import Foundation
import IntegrationSupport
import Testing
import WebRTCTestSupport

/// The web app (Edge/Web) in a real browser against a real edge and origin (issue 13): headless
/// Debian Chromium driven through selenium by the scenarios in `Browser/`, which print a JSON
/// verdict as their last line. Screenshots go to `.state/artifacts/webapp/` (git-ignored).
@Suite("Web app in Chromium: chat, files, videos and calls", .serialized)
struct WebAppBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var python: String {
        if let venv = ProcessInfo.processInfo.environment["STREAMLY_VENV"] { return venv + "/bin/python" }
        return repository.appendingPathComponent(".state/venv/bin/python").path
    }

    static var artifacts: String { repository.appendingPathComponent(".state/artifacts/webapp").path }

    static var browserAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    static func options(_ name: String) throws -> TestCluster.Options {
        var options = TestCluster.Options(name: name, clusterSecret: "webapp-browser-tests-cluster-secret-0123456789")
        options.storage = .s3(bucket: nil)
        options.playbackSecret = "webapp-browser-tests-playback-secret-0123456789"
        options.https = true
        // Presigned attachment URLs point at the S3 server: the page's CSP admits it.
        let s3 = try Infra.fromEnvironment().s3?.endpoint ?? ""
        options.edgeEnvironment = ["STREAMLY_WEB_CSP_ORIGINS": s3]
        return options
    }

    /// Runs `Browser/<script>` against `base`; fails the test with its output unless the verdict is ok.
    static func scenario(_ script: String, base: String, cluster: TestCluster) async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/\(script)").path
        let (status, output) = try await ChildProcess.run(python, ["-u", path, base, artifacts])
        let text = String(decoding: output, as: UTF8.self)
        let verdict = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        print("\(script): \(verdict)")
        #expect(status == 0 && verdict.contains(#""ok": true"#), "\(script): \(text.suffix(6000))")
    }

    @Test("two people: private channel, ordered messages, typing, presence, offline and back without loss or doubles, image preview, direct message, reload, phone size; no console errors under the CSP",
          .enabled(if: browserAvailable, "needs Debian chromium and chromium-driver (infra/install.sh)"))
    func chat() async throws {
        try await TestCluster.with(try Self.options("web-chat"), origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            try await Self.scenario("chat_scenario.py", base: "http://127.0.0.1:\(cluster.port("ea"))/", cluster: cluster)
        }
    }

    @Test("a video: tus upload with progress, resumed after a reload, transcode progress, poster, playback with a quality menu",
          .enabled(if: browserAvailable, "needs Debian chromium and chromium-driver (infra/install.sh)"))
    func video() async throws {
        var options = try Self.options("web-video")
        options.transcode = .init(preset: "ultrafast", retryBaseMs: 200, leaseSeconds: 30)
        try await TestCluster.with(options, origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            try await Self.scenario("video_scenario.py", base: "http://127.0.0.1:\(cluster.port("ea"))/", cluster: cluster)
        }
    }

    @Test("two people in a call decode each other's video; names, mute and camera off are shown; leave",
          .enabled(if: browserAvailable && NetworkNamespace.isSupported, "needs Chromium and root for a veth address"))
    func call() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        var options = try Self.options("web-call")
        options.edgeEnvironment["STREAMLY_RTC_ANNOUNCED_IPS"] = namespace.hostAddress
        try await TestCluster.with(options, origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            try await Self.scenario("call_scenario.py", base: "http://127.0.0.1:\(cluster.port("ea"))/", cluster: cluster)
        }
    }
}

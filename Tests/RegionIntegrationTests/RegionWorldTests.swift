import Foundation
import IntegrationSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The regions world of `infra/regions.sh`: three regions in network namespaces joined through
/// the userspace link emulator (1 ms inside a region, 40/70/110 ms between them), origins and
/// the infrastructure in a core namespace. Clients run inside their region's client hosts.
@Suite("Regions world: clients reach their nearest edge through the link emulator", .serialized)
struct RegionWorldTests {
    static var isSupported: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") }
    static let regions = [(name: "eu", index: 1), (name: "us", index: 2), (name: "ap", index: 3)]
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("infra/regions.sh").path
    }

    /// `infra/regions.sh up`, `body`, then `down` (also when `body` throws).
    static func withWorld(_ body: () async throws -> Void) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["STREAMLY_BIN_DIR"] = ChildProcess.binDirectory.path
        let (status, output) = try await ChildProcess.run("/bin/bash", [script, "up"], environment: environment)
        defer { _ = try? ChildProcess.runBlocking("/bin/bash", [script, "down"], environment: environment) }
        guard status == 0 else { throw TestFailure("regions.sh up failed (\(status)):\n\(String(decoding: output, as: UTF8.self))") }
        try await body()
    }

    /// curl inside namespace `host`; the body and curl's `time_total` in ms.
    static func curl(in host: String, _ url: String) async throws -> (body: Data, ms: Double) {
        let marker = "\n--time:"
        let (status, output) = try await ChildProcess.run("/usr/sbin/ip", [
            "netns", "exec", host, "/usr/bin/curl", "-s", "--max-time", "10", "-w", "\(marker)%{time_total}", url,
        ])
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0, let range = text.range(of: marker, options: .backwards), let seconds = Double(text[range.upperBound...])
        else { throw TestFailure("curl \(url) in \(host) failed (\(status)): \(text)") }
        return (Data(text[..<range.lowerBound].utf8), seconds * 1_000)
    }

    struct EdgeView: Decodable { var id: String; var region: String; var probe_url: String? }
    struct EdgeList: Decodable { var edges: [EdgeView]; var client_region: String? }
    struct Route: Decodable { var edge: EdgeView; var reason: String }

    @Test("in each region, routing answers the region's edge and timing the probe list picks it too",
          .enabled(if: isSupported, "needs root for network namespaces"))
    func nearestEdge() async throws {
        try await Self.withWorld {
            for region in Self.regions {
                let client = "slr-\(region.name)-c1"
                // The directory reaches every edge within a few announcements.
                let deadline = ContinuousClock.now + .seconds(30)
                var list = EdgeList(edges: [], client_region: nil)
                while list.edges.count < 3, ContinuousClock.now < deadline {
                    list = try JSONDecoder().decode(EdgeList.self, from: try await Self.curl(
                        in: client, "http://10.77.\(region.index).1:8080/api/v1/edges").body)
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(list.edges.map(\.region).sorted() == ["ap", "eu", "us"])
                #expect(list.client_region == region.name)
                // Routing, asked of every edge (the far ones too), answers the region's edge.
                for asked in Self.regions {
                    let route = try JSONDecoder().decode(Route.self, from: try await Self.curl(
                        in: client, "http://10.77.\(asked.index).1:8080/api/v1/route").body)
                    #expect(route.edge.id == "edge-\(region.name)" && route.reason == "client_prefix",
                            "client in \(region.name) asking \(asked.name): \(route.edge.id) (\(route.reason))")
                }
                // The probe list: the fastest of five probes of each edge wins (the minimum: a loaded machine only adds).
                var best: [(id: String, ms: Double)] = []
                for edge in list.edges {
                    var samples: [Double] = []
                    for _ in 0..<5 { samples.append(try await Self.curl(in: client, try #require(edge.probe_url)).ms) }
                    best.append((edge.id, samples.min()!))
                }
                best.sort { $0.ms < $1.ms }
                print("regions: client in \(region.name) probes " + best.map { "\($0.id) \(String(format: "%.1f", $0.ms)) ms" }
                    .joined(separator: ", "))
                #expect(best.first?.id == "edge-\(region.name)")
            }
        }
    }
}

import Foundation
import IntegrationSupport
import Testing

/// The edge directory and routing through real origins and edges on loopback (issue 14): three
/// edges in three regions; clients "in" a region are curl runs from a loopback source address
/// that `route.prefixes` maps to it (127.0.0.2 → eu, .3 → us, .4 → ap).
@Suite("Edge directory and routing (real processes)", .serialized)
struct EdgeDirectoryIntegrationTests {
    static let regions = [(edge: "eu", source: "127.0.0.2"), (edge: "us", source: "127.0.0.3"), (edge: "ap", source: "127.0.0.4")]

    static func options() -> TestCluster.Options {
        var options = TestCluster.Options(name: "regions-it", clusterSecret: "region-integration-tests-cluster-secret-0123")
        options.edgeEnvironment = [
            "STREAMLY_ROUTE_PREFIXES": regions.map { "\($0.source)/32=\($0.edge)" }.joined(separator: ","),
            "STREAMLY_DIRECTORY_ANNOUNCE_MS": "250", "STREAMLY_DIRECTORY_TTL_MS": "1500",
            // Three edges on one machine: each its own WebRTC port.
            "STREAMLY_RTC_ENABLED": "false",
        ]
        return options
    }

    /// Starts one origin and the three regional edges, each with its `region`.
    static func withRegions(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try TestCluster(options())
        do {
            try cluster.startOrigin("o1")
            try await cluster.waitReady()
            for region in regions {
                try await cluster.startReady(region.edge) {
                    try cluster.startEdge(region.edge, origins: ["o1"], extra: ["STREAMLY_REGION": region.edge])
                }
            }
            try await body(cluster)
        } catch {
            print(cluster.logTails())
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    struct EdgeView: Decodable, Equatable {
        var id: String
        var region: String
        var http_url: String?
        var probe_url: String?
        var draining: Bool
    }
    struct EdgeList: Decodable {
        var edge: String
        var client_region: String?
        var edges: [EdgeView]
    }
    struct Route: Decodable {
        var edge: EdgeView
        var reason: String
        var client_region: String?
    }
    struct Report: Decodable {
        struct Entry: Decodable {
            struct Edge: Decodable { var id: String; var region: String; var calls: [String]; var draining: Bool }
            var edge: Edge
            var expires_in_ms: Int
        }
        var edge: String
        var edges: [Entry]
    }

    static func edges(_ cluster: TestCluster, on edge: String, from source: String = "127.0.0.1") async throws -> EdgeList {
        try await curl("http://127.0.0.1:\(cluster.port(edge))/api/v1/edges", ["--interface", source]).decode(EdgeList.self)
    }

    static func report(_ cluster: TestCluster, on edge: String) async throws -> Report {
        try await curl("http://127.0.0.1:\(cluster.operatorPort(edge))/directory").decode(Report.self)
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static func until(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test("every edge lists the three regions' edges; routing answers the configured region's edge for a client in each region")
    func routing() async throws {
        try await Self.withRegions { cluster in
            let ids = Set(Self.regions.map { cluster.nodeID($0.edge) })
            for region in Self.regions {
                let listed = try await Self.until(.seconds(20)) {
                    // Other tests' edges share the test profile's directory: this cluster's three
                    // must be there, others may be.
                    Set(try await Self.edges(cluster, on: region.edge).edges.map(\.id)).isSuperset(of: ids)
                }
                let seen = try await Self.edges(cluster, on: region.edge).edges.map(\.id)
                #expect(listed, "edge \(region.edge) lists \(seen)")
            }
            let list = try await Self.edges(cluster, on: "us", from: "127.0.0.2")
            #expect(list.client_region == "eu")
            #expect(list.edge == cluster.nodeID("us"))
            for view in list.edges where ids.contains(view.id) {
                let name = String(view.id.prefix { $0 != "-" })
                #expect(view.region == name)
                #expect(view.http_url == "http://127.0.0.1:\(cluster.port(name))")
                // The probe answers at once, uncached, readable from any web origin.
                let probe = try await curl(try #require(view.probe_url))
                #expect(probe.status == 204)
                #expect(probe.headers["cache-control"] == "no-store")
                #expect(probe.headers["access-control-allow-origin"] == "*")
            }
            // A client of each region, asking any edge, is sent to its region's edge.
            for client in Self.regions {
                for asked in Self.regions {
                    let route = try await curl("http://127.0.0.1:\(cluster.port(asked.edge))/api/v1/route",
                                               ["--interface", client.source]).decode(Route.self)
                    #expect(route.edge.id == cluster.nodeID(client.edge), "client \(client.source) asking \(asked.edge)")
                    #expect(route.reason == "client_prefix")
                    #expect(route.client_region == client.edge)
                }
            }
            // An address no prefix covers stays on the edge it reached.
            let unknown = try await curl("http://127.0.0.1:\(cluster.port("ap"))/api/v1/route").decode(Route.self)
            #expect(unknown.edge.id == cluster.nodeID("ap"))
            #expect(unknown.reason == "receiving_edge")
            #expect(unknown.client_region == nil)

            // upload_url points at the caller's edge: an eu client creating a video through us.
            let rest = cluster.rest("us")
            let account = try await rest.signup("reg")
            let created = try await curl("http://127.0.0.1:\(cluster.port("us"))/api/v1/videos", [
                "--interface", "127.0.0.2", "-X", "POST", "-H", "Authorization: Bearer \(account.token)",
                "--data-binary", #"{"title":"clip","size":10}"#,
            ])
            #expect(created.status == 201, "\(created.text)")
            let uploadURL = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])["upload_url"] as? String
            #expect(uploadURL?.hasPrefix("http://127.0.0.1:\(cluster.port("eu"))/api/v1/uploads/") == true, "\(uploadURL ?? "nil")")
            // …and stays on the edge a client of its own region asked.
            let local = try await curl("http://127.0.0.1:\(cluster.port("us"))/api/v1/videos", [
                "--interface", "127.0.0.3", "-X", "POST", "-H", "Authorization: Bearer \(account.token)",
                "--data-binary", #"{"title":"clip","size":10}"#,
            ])
            let localURL = (try JSONSerialization.jsonObject(with: local.body) as? [String: Any])?["upload_url"] as? String
            #expect(localURL?.contains(":\(cluster.port("us"))/api/v1/uploads/") == true, "\(localURL ?? "nil")")
        }
    }

    @Test("calls are in the directory: an edge reports the calls its participants join and leave")
    func calls() async throws {
        try await Self.withRegions { cluster in
            // Calls need a media server: restart eu with one, on a port of its own.
            await cluster.edges["eu"]!.process.stop()
            try cluster.startEdge("eu", extra: ["STREAMLY_REGION": "eu", "STREAMLY_RTC_ENABLED": "true",
                                                "STREAMLY_RTC_PORT": String(try freePort()), "STREAMLY_RTC_ANNOUNCED_IPS": "127.0.0.1"])
            try await cluster.waitReady()
            let rest = cluster.rest("eu")
            let ann = try await rest.signup("ann")
            let channel = try await rest.createChannel(ann)
            let client = try await WebSocketTestClient<[String: String]>.connect(
                port: cluster.port("eu"), name: "ann", queryToken: ann.token) { text in
                (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?.compactMapValues { $0 as? String }
            }
            client.send(["op": "rtc.join", "channel": channel, "id": "j"])
            let joined = try await client.first("rtc.joined") { $0["id"] == "j" }
            #expect(joined["op"] == "rtc.joined", "\(joined)")
            let eu = cluster.nodeID("eu")
            // Another region's edge sees the call on eu.
            #expect(try await Self.until(.seconds(20)) {
                try await Self.report(cluster, on: "ap").edges.first { $0.edge.id == eu }?.edge.calls == [channel]
            })
            client.send(["op": "rtc.leave", "id": "l"])
            _ = try await client.first("rtc.left") { $0["id"] == "l" }
            #expect(try await Self.until(.seconds(20)) {
                try await Self.report(cluster, on: "ap").edges.first { $0.edge.id == eu }?.edge.calls == []
            })
            client.close()
        }
    }

    @Test("rtc.join on an edge far from the client answers with the client's region's edge")
    func betterEdge() async throws {
        try await Self.withRegions { cluster in
            // us, with calls, sees loopback clients (127.0.0.1) as eu's.
            await cluster.edges["us"]!.process.stop()
            try cluster.startEdge("us", extra: ["STREAMLY_REGION": "us", "STREAMLY_RTC_ENABLED": "true",
                                                "STREAMLY_RTC_PORT": String(try freePort()), "STREAMLY_RTC_ANNOUNCED_IPS": "127.0.0.1",
                                                "STREAMLY_ROUTE_PREFIXES": "127.0.0.1/32=eu"])
            try await cluster.waitReady()
            let eu = cluster.nodeID("eu")
            #expect(try await Self.until(.seconds(20)) { try await Self.report(cluster, on: "us").edges.contains { $0.edge.id == eu } })
            let rest = cluster.rest("us")
            let ann = try await rest.signup("ann")
            let channel = try await rest.createChannel(ann)
            let client = try await WebSocketTestClient<String>.connect(
                port: cluster.port("us"), name: "ann", queryToken: ann.token) { $0 }
            client.send(["op": "rtc.join", "channel": channel, "id": "j"])
            let joined = try await client.first("rtc.joined") { $0.contains(#""id":"j""#) }
            struct Joined: Decodable {
                struct Better: Decodable { var id: String; var region: String; var ws_url: String? }
                var op: String
                var better_edge: Better?
            }
            let decoded = try JSONDecoder().decode(Joined.self, from: Data(joined.utf8))
            #expect(decoded.op == "rtc.joined", "\(joined)")
            #expect(decoded.better_edge?.id == eu, "\(joined)")
            #expect(decoded.better_edge?.ws_url == "ws://127.0.0.1:\(cluster.port("eu"))/ws")
            client.close()
        }
    }

    @Test("an edge killed with SIGKILL leaves every directory within seconds; one that shuts down leaves at once")
    func deadEdges() async throws {
        try await Self.withRegions { cluster in
            let ids = Set(Self.regions.map { cluster.nodeID($0.edge) })
            // Other tests' edges share the test profile's directory: only this cluster's count.
            let ours = { Set(try await Self.report(cluster, on: "eu").edges.map(\.edge.id)).intersection(ids) }
            #expect(try await Self.until(.seconds(20)) { try await ours() == ids })
            let killed = ContinuousClock.now
            await cluster.crash("ap")
            let gone = try await Self.until(.seconds(30)) {
                let seen = Set(try await Self.report(cluster, on: "eu").edges.map(\.edge.id))
                let listed = Set(try await Self.edges(cluster, on: "us").edges.map(\.id))
                return !seen.contains(cluster.nodeID("ap")) && !listed.contains(cluster.nodeID("ap"))
            }
            let took = ContinuousClock.now - killed
            print("directory: a SIGKILLed edge left every view after \(took) (ttl 1.5 s, announcements every 250 ms)")
            #expect(gone)
            // The others stay (on a loaded run an entry may miss its 1.5 s TTL once and come back).
            #expect(try await Self.until(.seconds(20)) {
                try await ours() == ids.subtracting([cluster.nodeID("ap")])
            })
            // SIGTERM: the edge withdraws itself as it stops.
            await cluster.edges["us"]!.process.stop()
            let left = try await Self.until(.seconds(30)) {
                try await ours() == [cluster.nodeID("eu")]
            }
            #expect(left)
        }
    }
}

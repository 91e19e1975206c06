@testable import StreamLyEdge
import StreamLyEdgeDirectory
import Testing

@Suite("EdgeRouting")
struct EdgeRoutingTests {
    static let later = ContinuousClock.now + .seconds(60)

    static func edge(_ id: String, _ region: String, participants: Int = 0, connections: Int = 0,
                     draining: Bool = false) -> EdgeInfo {
        EdgeInfo(id: id, region: region, httpURL: "http://\(id):8080", connections: connections, participants: participants,
                 draining: draining, expires: later)
    }

    let edges = [edge("eu-1", "eu", participants: 5), edge("eu-2", "eu", participants: 2), edge("us-1", "us"),
                 edge("ap-1", "ap", draining: true)]

    @Test("a known client region gets its least-loaded open edge")
    func clientRegion() {
        let decision = EdgeRouting().decide(edges: edges, clientRegion: "eu", receiving: "us-1", receivingRegion: "us")
        #expect(decision?.edge.id == "eu-2")
        #expect(decision?.reason == .clientPrefix)
        #expect(decision?.clientRegion == "eu")
    }

    @Test("ties go by connections, then id, so every edge answers the same")
    func ties() {
        let tied = [Self.edge("b", "eu", connections: 1), Self.edge("c", "eu"), Self.edge("a", "eu", connections: 1)]
        #expect(EdgeRouting().decide(edges: tied, clientRegion: "eu", receiving: "x", receivingRegion: "us")?.edge.id == "c")
        let equal = [Self.edge("b", "eu"), Self.edge("a", "eu")]
        #expect(EdgeRouting().decide(edges: equal, clientRegion: "eu", receiving: "x", receivingRegion: "us")?.edge.id == "a")
    }

    @Test("an unknown region, or one without open edges, stays on the receiving edge")
    func receivingEdge() {
        let unknown = EdgeRouting().decide(edges: edges, clientRegion: nil, receiving: "eu-1", receivingRegion: "eu")
        #expect(unknown?.edge.id == "eu-1")
        #expect(unknown?.reason == .receivingEdge)
        // ap's only edge drains: fall back to the edge the client reached.
        let draining = EdgeRouting().decide(edges: edges, clientRegion: "ap", receiving: "us-1", receivingRegion: "us")
        #expect(draining?.edge.id == "us-1")
        #expect(draining?.reason == .receivingEdge)
        #expect(draining?.clientRegion == "ap")
    }

    @Test("a draining receiving edge hands over to its region, then to any region")
    func fallbacks() {
        let drainingHere = edges.map { $0.id == "eu-2" ? Self.edge("eu-2", "eu", draining: true) : $0 }
        let sameRegion = EdgeRouting().decide(edges: drainingHere, clientRegion: nil, receiving: "eu-2", receivingRegion: "eu")
        #expect(sameRegion?.edge.id == "eu-1")
        #expect(sameRegion?.reason == .sameRegion)
        let any = EdgeRouting().decide(edges: edges, clientRegion: nil, receiving: "ap-1", receivingRegion: "ap")
        #expect(any?.edge.id == "us-1")
        #expect(any?.reason == .anyRegion)
        #expect(EdgeRouting().decide(edges: [Self.edge("x", "eu", draining: true)], clientRegion: "eu", receiving: "x",
                                     receivingRegion: "eu") == nil)
    }

    @Test("the router sends a caller elsewhere only when their region is known and is another")
    func betterEdge() throws {
        let directory = EdgeDirectory(localID: "us-1", region: "us")
        directory.replace(with: edges)
        let router = EdgeRouter(directory: directory, configuration: RegionConfiguration(
            region: "us", prefixes: try ClientPrefixes(["10.1.0.0/16=eu", "10.2.0.0/16=us", "10.3.0.0/16=ap"])))
        #expect(router.betterEdge(clientIP: "10.1.0.5")?.id == "eu-2")
        #expect(router.betterEdge(clientIP: "10.2.0.5") == nil)
        #expect(router.betterEdge(clientIP: "10.3.0.5") == nil)  // ap drains
        #expect(router.betterEdge(clientIP: "192.0.2.1") == nil)
        #expect(router.absolute("/vod/v/master.m3u8?token=t", clientIP: "10.1.0.5") == "http://eu-2:8080/vod/v/master.m3u8?token=t")
        #expect(router.absolute("/vod/v/master.m3u8", clientIP: "10.2.0.5") == "/vod/v/master.m3u8")
        let view = EdgeRouter.view(Self.edge("eu-2", "eu"))
        #expect(view.probeURL == "http://eu-2:8080/api/v1/probe")
        #expect(view.wsURL == "ws://eu-2:8080/ws")
    }
}

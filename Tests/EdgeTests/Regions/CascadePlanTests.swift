import StreamLyEdgeDirectory
import Testing

@Suite("CascadePlan")
struct CascadePlanTests {
    let expires = ContinuousClock.now + .seconds(3)

    func edge(_ id: String, relay: String?, calls: Set<String>) -> EdgeInfo {
        EdgeInfo(id: id, region: "r-\(id)", relay: relay, calls: calls, expires: expires)
    }

    func link(_ call: String, _ peer: String) -> CascadePlan.Link {
        CascadePlan.Link(call: call, peer: peer)
    }

    /// Runs a pass and confirms every link action as `succeeded`.
    func pass(_ plan: inout CascadePlan, hosted: Set<String>, edges: [EdgeInfo], succeeded: Bool = true,
              maxLinks: Int = .max) -> [CascadePlan.Action] {
        let actions = plan.reconcile(localID: "a", hosted: hosted, edges: edges, maxLinks: maxLinks)
        for case .link(let link) in actions { plan.opened(link, succeeded) }
        return actions
    }

    @Test("links each hosted call to every other edge hosting it, once")
    func links() {
        var plan = CascadePlan()
        let edges = [edge("a", relay: "10.0.1.1:10001", calls: ["c1", "c2"]),
                     edge("b", relay: "10.0.2.1:10001", calls: ["c1"]),
                     edge("c", relay: "10.0.3.1:10001", calls: ["c1", "c2", "c3"]),
                     edge("d", relay: nil, calls: ["c1"])]
        let actions = pass(&plan, hosted: ["c1", "c2"], edges: edges)
        #expect(actions == [.link(link("c1", "10.0.2.1:10001")), .link(link("c1", "10.0.3.1:10001")),
                            .link(link("c2", "10.0.3.1:10001"))])
        #expect(plan.linked.count == 3)
        // Nothing changed: nothing to do.
        #expect(pass(&plan, hosted: ["c1", "c2"], edges: edges).isEmpty)
    }

    @Test("a peer that stops hosting the call is unlinked; one that expires is dropped as gone")
    func unlinks() {
        var plan = CascadePlan()
        let a = edge("a", relay: "10.0.1.1:10001", calls: ["c1"])
        _ = pass(&plan, hosted: ["c1"], edges: [a, edge("b", relay: "10.0.2.1:10001", calls: ["c1"]),
                                                edge("c", relay: "10.0.3.1:10001", calls: ["c1"])])
        let actions = pass(&plan, hosted: ["c1"], edges: [a, edge("b", relay: "10.0.2.1:10001", calls: [])])
        #expect(actions == [.unlink(link("c1", "10.0.2.1:10001"), .notHosting), .unlink(link("c1", "10.0.3.1:10001"), .gone)])
        #expect(plan.linked.isEmpty)
        // b hosts it again: linked again.
        #expect(pass(&plan, hosted: ["c1"], edges: [a, edge("b", relay: "10.0.2.1:10001", calls: ["c1"])])
                == [.link(link("c1", "10.0.2.1:10001"))])
    }

    @Test("a restarted peer on a new relay address: the old link goes, the new one comes")
    func moved() {
        var plan = CascadePlan()
        let a = edge("a", relay: "10.0.1.1:10001", calls: ["c1"])
        _ = pass(&plan, hosted: ["c1"], edges: [a, edge("b", relay: "10.0.2.1:10001", calls: ["c1"])])
        #expect(pass(&plan, hosted: ["c1"], edges: [a, edge("b", relay: "10.0.2.1:10002", calls: ["c1"])])
                == [.unlink(link("c1", "10.0.2.1:10001"), .gone), .link(link("c1", "10.0.2.1:10002"))])
    }

    @Test("a call that ended here is forgotten without actions")
    func callEnded() {
        var plan = CascadePlan()
        let edges = [edge("a", relay: "10.0.1.1:10001", calls: ["c1"]), edge("b", relay: "10.0.2.1:10001", calls: ["c1"])]
        _ = pass(&plan, hosted: ["c1"], edges: edges)
        #expect(pass(&plan, hosted: [], edges: edges).isEmpty)
        #expect(plan.linked.isEmpty)
    }

    @Test("a stale view (this edge absent) closes nothing")
    func stale() {
        var plan = CascadePlan()
        _ = pass(&plan, hosted: ["c1"], edges: [edge("a", relay: "10.0.1.1:10001", calls: ["c1"]),
                                                edge("b", relay: "10.0.2.1:10001", calls: ["c1"])])
        #expect(pass(&plan, hosted: ["c1"], edges: []).isEmpty)
        #expect(plan.linked == [link("c1", "10.0.2.1:10001")])
    }

    @Test("a link that could not open is asked for again; the link limit is kept")
    func retryAndLimit() {
        var plan = CascadePlan()
        let edges = [edge("a", relay: "10.0.1.1:10001", calls: ["c1", "c2"]),
                     edge("b", relay: "10.0.2.1:10001", calls: ["c1", "c2"])]
        #expect(pass(&plan, hosted: ["c1", "c2"], edges: edges, succeeded: false).count == 2)
        #expect(plan.linked.isEmpty)
        #expect(pass(&plan, hosted: ["c1", "c2"], edges: edges, maxLinks: 1) == [.link(link("c1", "10.0.2.1:10001"))])
        #expect(pass(&plan, hosted: ["c1", "c2"], edges: edges, maxLinks: 1).isEmpty)
        #expect(pass(&plan, hosted: ["c1", "c2"], edges: edges, maxLinks: 2) == [.link(link("c2", "10.0.2.1:10001"))])
    }
}

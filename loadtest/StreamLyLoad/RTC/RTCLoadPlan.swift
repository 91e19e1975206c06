/// What `streamly-load rtc` offers: N calls of P publishers (who also receive the others) and
/// S receive-only subscribers.
struct RTCLoadPlan: Sendable {
    var calls: Int
    var publishers: Int
    var subscribers: Int
    var seconds: Double
    var warmup: Double
    var profile: RTCLoadProfile

    /// Edges the participants are spread over, and how: `cascade` puts a call's participants
    /// on the edges in turn (slot s of call c on edge (c + s) mod edges, so every call spans
    /// the edges and its tracks cross the relay); otherwise a call's participants are all on
    /// edge c mod edges.
    var sites = 1
    var cascade = false

    var participantsPerCall: Int { publishers + subscribers }

    func site(call: Int, slot: Int) -> Int { cascade ? (call + slot) % sites : call % sites }

    /// The sites hosting participants of `call`.
    func sites(ofCall call: Int) -> Set<Int> { Set((0..<participantsPerCall).map { site(call: call, slot: $0) }) }

    /// How many other sites host participants of the calls `site` hosts a publisher of (the
    /// remote edges its relay sends to, counted once each).
    func remoteSites(of site: Int) -> Int {
        let calls = (0..<calls).filter { call in (0..<publishers).contains { self.site(call: call, slot: $0) == site } }
        return calls.reduce(into: Set<Int>()) { $0.formUnion(sites(ofCall: $1)) }.subtracting([site]).count
    }

    /// The other sites hosting participants of `call` than `site`: where a publisher of the call
    /// on `site` needs one relayed copy of each layer its receivers take.
    func remoteSites(ofCall call: Int, from site: Int) -> Int {
        sites(ofCall: call).subtracting([site]).count
    }

    /// Stream tags of the run (4 per publisher).
    var tags: Int { calls * publishers * 4 }
    /// Packets/s the SFU should forward: every participant gets every other publisher's audio
    /// and one video layer (the highest, f, with no downlink limit).
    var expectedForwardingRate: Double {
        let rates = profile.packetRates
        let receivers = Double(publishers - 1 + subscribers)
        return Double(calls * publishers) * receivers * (rates[0] + rates[3])
    }
}

import StreamLyNetem
import Testing

@Suite("LinkShaper")
struct LinkShaperTests {
    static let ms: UInt64 = 1_000_000

    @Test("delay only: every packet leaves delay after it arrived")
    func delay() {
        var shaper = LinkShaper(profile: LinkProfile(delayMS: 40))
        #expect(shaper.admit(bytes: 100, now: 0, lossDraw: 0.5, jitterDraw: 0.5) == .deliver(at: 40 * Self.ms))
        #expect(shaper.admit(bytes: 1_500, now: 5 * Self.ms, lossDraw: 0, jitterDraw: 0) == .deliver(at: 45 * Self.ms))
    }

    @Test("jitter stays within ±jitter and never reorders")
    func jitter() {
        var shaper = LinkShaper(profile: LinkProfile(delayMS: 40, jitterMS: 5))
        // Extremes of the draw: 35 ms and 45 ms.
        #expect(shaper.admit(bytes: 100, now: 0, lossDraw: 1, jitterDraw: 1) == .deliver(at: 45 * Self.ms))
        // Would leave at 1 + 35 = 36 ms, before the first: held until 45 ms.
        #expect(shaper.admit(bytes: 100, now: 1 * Self.ms, lossDraw: 1, jitterDraw: 0) == .deliver(at: 45 * Self.ms))
        var free = LinkShaper(profile: LinkProfile(delayMS: 40, jitterMS: 5))
        var last: UInt64 = 0
        for step in 0..<1_000 {
            let now = UInt64(step) * 10 * Self.ms
            guard case .deliver(let at) = free.admit(bytes: 100, now: now, lossDraw: 1, jitterDraw: Double(step % 97) / 97)
            else { Issue.record("dropped"); return }
            #expect(at >= now + 35 * Self.ms && at <= now + 45 * Self.ms)
            #expect(at >= last)
            last = at
        }
    }

    @Test("loss drops the packets whose draw falls below it")
    func loss() {
        var shaper = LinkShaper(profile: LinkProfile(delayMS: 10, loss: 0.25))
        #expect(shaper.admit(bytes: 100, now: 0, lossDraw: 0.1, jitterDraw: 0) == .lost)
        #expect(shaper.admit(bytes: 100, now: 0, lossDraw: 0.3, jitterDraw: 0) == .deliver(at: 10 * Self.ms))
        let lost = (0..<1_000).filter { index in
            shaper.admit(bytes: 100, now: 0, lossDraw: Double(index) / 1_000, jitterDraw: 0) == .lost
        }.count
        #expect(lost == 250)
    }

    @Test("bandwidth spaces packets by their transmission time and tail-drops past the queue bound")
    func bandwidth() {
        // 1,000 kbit/s: a 1,250-byte packet takes 10 ms; the queue holds 30 ms.
        var shaper = LinkShaper(profile: LinkProfile(delayMS: 5, rateKbps: 1_000, queueMS: 30))
        var departures: [UInt64] = []
        var drops = 0
        for _ in 0..<6 {
            switch shaper.admit(bytes: 1_250, now: 0, lossDraw: 1, jitterDraw: 0) {
            case .deliver(let at): departures.append(at)
            case .queueFull: drops += 1
            case .lost: Issue.record("no loss configured")
            }
        }
        // Waits of 0, 10, 20, 30 ms fit; 40 and 50 do not.
        #expect(departures == [15, 25, 35, 45].map { $0 * Self.ms })
        #expect(drops == 2)
        // Once the queue has drained the link takes packets again.
        #expect(shaper.admit(bytes: 1_250, now: 100 * Self.ms, lossDraw: 1, jitterDraw: 0) == .deliver(at: 115 * Self.ms))
    }
}

@Suite("NetemConfiguration")
struct NetemConfigurationTests {
    @Test("links apply both ways; one group named twice is its inside; others take intra or the default")
    func profiles() throws {
        let json = """
            {"ports": [{"namespace": "a", "device": "t0", "group": "eu", "addresses": ["10.77.1.1"]},
                       {"device": "t1", "group": "us", "addresses": ["10.77.2.1", "10.77.2.2"]}],
             "links": [{"between": ["eu", "us"], "delay_ms": 40, "jitter_ms": 2, "loss": 0.01, "rate_kbps": 10000},
                       {"between": ["ap", "ap"], "delay_ms": 3}],
             "intra": {"delay_ms": 1}, "default": {"delay_ms": 100}}
            """
        let configuration = try JSONDecoder().decode(NetemConfiguration.self, from: Data(json.utf8))
        try configuration.validate()
        #expect(configuration.profile(from: "eu", to: "us") == LinkProfile(delayMS: 40, jitterMS: 2, loss: 0.01, rateKbps: 10_000))
        #expect(configuration.profile(from: "us", to: "eu").delayMS == 40)
        #expect(configuration.profile(from: "ap", to: "ap").delayMS == 3)
        #expect(configuration.profile(from: "eu", to: "eu").delayMS == 1)
        #expect(configuration.profile(from: "eu", to: "ap").delayMS == 100)
        #expect(configuration.ports[1].namespace == nil)
    }

    @Test("bad configurations are refused with the reason", arguments: [
        #"{"ports": []}"#,
        #"{"ports": [{"device": "t0", "group": "g", "addresses": ["10.0.0.256"]}]}"#,
        #"{"ports": [{"device": "t0", "group": "g", "addresses": ["10.0.0.1"]}, {"device": "t1", "group": "g", "addresses": ["10.0.0.1"]}]}"#,
        #"{"ports": [{"device": "a-very-long-device-name", "group": "g", "addresses": []}]}"#,
        #"{"ports": [{"device": "t0", "group": "g", "addresses": []}], "links": [{"between": ["a", "b"], "loss": 2}]}"#,
        #"{"ports": [{"device": "t0", "group": "g", "addresses": []}], "intra": {"delay_ms": -1}}"#,
    ])
    func refused(json: String) throws {
        let configuration = try JSONDecoder().decode(NetemConfiguration.self, from: Data(json.utf8))
        #expect(throws: NetemError.self) { try configuration.validate() }
    }
}

import Foundation

/// What one direction of an emulated link does to packets: one-way delay, jitter (uniform in
/// ±`jitter`, never reordering), random loss, and a bandwidth limit with a bounded queue.
public struct LinkProfile: Sendable, Equatable, Codable {
    /// One-way propagation delay.
    public var delayMS: Double
    /// Each packet's delay varies uniformly within ±`jitterMS` (clamped at zero).
    public var jitterMS: Double
    /// Probability (0…1) that a packet is dropped.
    public var loss: Double
    /// Bandwidth in kbit/s; 0: unlimited.
    public var rateKbps: Double
    /// Longest a packet may wait for the bandwidth before it is dropped (tail drop).
    public var queueMS: Double

    enum CodingKeys: String, CodingKey {
        case delayMS = "delay_ms", jitterMS = "jitter_ms", loss, rateKbps = "rate_kbps", queueMS = "queue_ms"
    }

    public init(delayMS: Double = 0, jitterMS: Double = 0, loss: Double = 0, rateKbps: Double = 0, queueMS: Double = 200) {
        self.delayMS = delayMS
        self.jitterMS = jitterMS
        self.loss = loss
        self.rateKbps = rateKbps
        self.queueMS = queueMS
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        delayMS = try container.decodeIfPresent(Double.self, forKey: .delayMS) ?? 0
        jitterMS = try container.decodeIfPresent(Double.self, forKey: .jitterMS) ?? 0
        loss = try container.decodeIfPresent(Double.self, forKey: .loss) ?? 0
        rateKbps = try container.decodeIfPresent(Double.self, forKey: .rateKbps) ?? 0
        queueMS = try container.decodeIfPresent(Double.self, forKey: .queueMS) ?? 200
    }

    /// Why the profile is unusable, or nil.
    public var problem: String? {
        guard (0...10_000).contains(delayMS) else { return "delay_ms must be 0-10000" }
        guard (0...delayMS.magnitude + 10_000).contains(jitterMS) else { return "jitter_ms must be 0-10000" }
        guard (0...1).contains(loss) else { return "loss must be 0-1" }
        guard (0...100_000_000).contains(rateKbps) else { return "rate_kbps must be 0-100000000" }
        guard (1...60_000).contains(queueMS) else { return "queue_ms must be 1-60000" }
        return nil
    }
}

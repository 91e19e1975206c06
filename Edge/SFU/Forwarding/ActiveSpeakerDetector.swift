import Foundation

/// Ranks a call's speakers every tick from their producers' mean audio levels (the mediasoup
/// AudioLevelObserver rule: skip producers with fewer than `minPackets` packets in the interval,
/// keep those at or above `threshold`, loudest first) and reports the list only when it
/// changed, which becomes `rtc.speakers`.
public struct ActiveSpeakerDetector: Sendable {
    /// One entry of `rtc.speakers`: `level` is linear amplitude 0…1 (10^(−dBov/20)), rounded
    /// to 1/100.
    public struct Speaker: Hashable, Sendable {
        public var participant: String
        public var level: Double

        public init(participant: String, level: Double) {
            self.participant = participant
            self.level = level
        }
    }

    /// Loudest mean level (−dBov) still counted as speaking: 70 (= −70 dBov).
    public let threshold: Double
    public let minPackets: Int
    public let maxSpeakers: Int
    public private(set) var current: [Speaker] = []

    public init(threshold: Double = 70, minPackets: Int = 10, maxSpeakers: Int = 8) {
        self.threshold = threshold
        self.minPackets = minPackets
        self.maxSpeakers = maxSpeakers
    }

    /// `levels`: per participant, its audio's mean −dBov and packet count over the interval (a
    /// participant with several audio tracks: its loudest). Returns the new ranking when it
    /// differs from the last one reported.
    public mutating func update(_ levels: [(participant: String, meanLevel: Double, packets: Int)]) -> [Speaker]? {
        var speakers: [Speaker] = []
        for entry in levels where entry.packets >= minPackets && entry.meanLevel <= threshold {
            let linear = pow(10, -entry.meanLevel / 20)
            speakers.append(Speaker(participant: entry.participant, level: (linear * 100).rounded() / 100))
        }
        speakers.sort { $0.level != $1.level ? $0.level > $1.level : $0.participant < $1.participant }
        if speakers.count > maxSpeakers { speakers.removeLast(speakers.count - maxSpeakers) }
        guard speakers != current else { return nil }
        current = speakers
        return speakers
    }
}

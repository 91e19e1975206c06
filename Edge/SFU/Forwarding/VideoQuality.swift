/// A subscriber's per-track quality preference (`rtc.quality`): the highest simulcast layer it
/// wants; `off` stops the track without renegotiation.
public enum VideoQuality: String, Hashable, Sendable, CaseIterable {
    case high
    case medium
    case low
    case off

    /// The highest layer index allowed (0 = lowest), nil for `off`.
    public var maxLayer: Int? {
        switch self {
        case .high: 2
        case .medium: 1
        case .low: 0
        case .off: nil
        }
    }
}

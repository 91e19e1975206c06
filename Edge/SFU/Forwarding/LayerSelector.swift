/// Chooses a subscriber's simulcast layer: the highest active layer allowed by its quality
/// preference whose bitrate fits the downlink estimate (REMB); the lowest active allowed layer
/// when none fits; nil when the preference is `off` or no allowed layer is active.
public enum LayerSelector {
    /// Bitrates assumed for a layer not measured yet (libwebrtc's VP8 simulcast targets for
    /// 320×180, 640×360, 1280×720: SFU-NOTES §7).
    public static let defaultBitrates: [UInt64] = [150_000, 500_000, 2_500_000]

    /// - Parameters:
    ///   - bitrates: per layer, measured bits/s, 0 for a layer that is not flowing.
    ///   - estimate: the subscriber's downlink estimate in bits/s, nil when unknown (no limit).
    public static func select(bitrates: some Collection<UInt64>, estimate: UInt64?, quality: VideoQuality) -> Int? {
        guard let maxLayer = quality.maxLayer else { return nil }
        var lowestActive: Int?
        var best: Int?
        for (layer, bitrate) in bitrates.enumerated() where layer <= maxLayer && bitrate > 0 {
            if lowestActive == nil { lowestActive = layer }
            if let estimate, bitrate > estimate { continue }
            best = layer
        }
        return best ?? lowestActive
    }

    /// Cumulative share of a VP8 stream's bitrate carried by temporal layers 0…n with three
    /// temporal layers (libwebrtc `simulcast_rate_allocator.cc` kLayerRateAllocation: 40 %, 60 %, 100 %).
    public static let temporalShares: [Double] = [0.4, 0.6, 1.0]

    /// The highest temporal layer to forward of a spatial layer measured at `bitrate` bits/s:
    /// all (`.max`) when it fits the estimate or there is none; else the highest whose share fits,
    /// at least 0. Applies only to streams whose packets carry a TID (others pass whole).
    public static func temporalLayer(bitrate: UInt64, estimate: UInt64?) -> UInt8 {
        guard let estimate, bitrate > estimate else { return .max }
        for layer in stride(from: temporalShares.count - 2, through: 1, by: -1)
        where Double(bitrate) * temporalShares[layer] <= Double(estimate) {
            return UInt8(layer)
        }
        return 0
    }
}

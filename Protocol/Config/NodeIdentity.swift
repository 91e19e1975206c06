import Foundation

/// Defaults shared by both tiers' configuration.
public enum NodeIdentity {
    /// Cluster secret used when none is configured: fine for a local run, logged as a warning.
    public static let developmentSecret = "streamly-local-development-cluster-secret-0001"

    /// Access-token key used when none is configured (local runs only; logged as a warning).
    public static let developmentJWTSecret = "streamly-local-development-jwt-signing-key-0001"

    /// HLS playback-token key used when none is configured (local runs only; logged as a warning).
    public static let developmentPlaybackSecret = "streamly-local-development-playback-key-0001"

    /// `prefix-hostname-pid`, unique enough for local runs.
    public static func defaultNodeID(prefix: String) -> String {
        "\(prefix)-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

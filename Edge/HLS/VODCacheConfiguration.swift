/// Limits of the edge's HLS cache (`vod.cache.*`, docs/configuration.md).
public struct VODCacheConfiguration: Sendable {
    /// Byte budget of the memory tier.
    public var memoryBytes: Int
    /// Directory of the disk tier; nil disables it.
    public var directory: String?
    /// Byte budget of the disk tier.
    public var diskBytes: Int
    /// Largest object served (and cached); larger ones answer 502 `too_large`.
    public var maxObjectBytes: Int
    /// How long an origin 404 is remembered.
    public var negativeTTL: Duration
    /// How long a playlist is kept before it is fetched again (segments are immutable and
    /// kept until evicted). Also the playlists' `Cache-Control: max-age`.
    public var playlistTTL: Duration

    public init(memoryBytes: Int = 256 << 20, directory: String? = ".state/edge-vod-cache", diskBytes: Int = 2 << 30,
                maxObjectBytes: Int = 64 << 20, negativeTTL: Duration = .seconds(5), playlistTTL: Duration = .seconds(60)) {
        self.memoryBytes = memoryBytes
        self.directory = directory
        self.diskBytes = diskBytes
        self.maxObjectBytes = maxObjectBytes
        self.negativeTTL = negativeTTL
        self.playlistTTL = playlistTTL
    }
}

import Metrics
import NIOCore
import StreamLyAPI
import Synchronization

/// The edge's HLS object cache: memory LRU under a byte budget, then the disk tier, then
/// one origin fetch per key however many requests miss at once (request coalescing: the
/// first miss starts a fetch task, later ones wait for the same task). Origin 404s are
/// remembered for `negativeTTL`; playlists expire after `playlistTTL`.
public final class VODCache: Sendable {
    /// What a lookup found.
    public enum Lookup: Sendable, Equatable {
        case found(VODObject)
        case notFound
    }

    struct MemoryEntry: Sendable {
        var object: VODObject
        /// Nil: kept until evicted.
        var expires: ContinuousClock.Instant?
    }

    struct State: Sendable {
        var memory: LRUIndex<VODObjectKey, MemoryEntry>
        var negative: [VODObjectKey: ContinuousClock.Instant] = [:]
        var inflight: [VODObjectKey: Task<Lookup, any Error>] = [:]
    }

    /// How one lookup is answered.
    enum Step {
        case hit(VODObject)
        case missing
        case wait(Task<Lookup, any Error>, joined: Bool)
    }

    let configuration: VODCacheConfiguration
    let fetcher: any VODObjectFetcher
    let disk: VODDiskCache?
    private let state: Mutex<State>
    private let metrics = VODCacheMetrics()

    public init(configuration: VODCacheConfiguration, fetcher: any VODObjectFetcher) throws {
        self.configuration = configuration
        self.fetcher = fetcher
        if let directory = configuration.directory, configuration.diskBytes > 0 {
            disk = try VODDiskCache(directory: directory, budget: configuration.diskBytes)
        } else {
            disk = nil
        }
        state = Mutex(State(memory: LRUIndex(budget: configuration.memoryBytes)))
    }

    /// Bytes in the memory tier.
    public var memoryBytes: Int { state.withLock { $0.memory.totalCost } }

    /// The object for `key`, from memory, disk or (once, for all concurrent callers) the origin.
    public func object(_ key: VODObjectKey) async throws -> Lookup {
        let now = ContinuousClock.now
        let step: Step = state.withLock { state in
            if let entry = state.memory.get(key) {
                if entry.expires.map({ $0 > now }) ?? true { return .hit(entry.object) }
                state.memory.remove(key)
            }
            if let until = state.negative[key] {
                if until > now { return .missing }
                state.negative[key] = nil
            }
            if let task = state.inflight[key] { return .wait(task, joined: true) }
            let task = Task { try await self.load(key) }
            state.inflight[key] = task
            return .wait(task, joined: false)
        }
        switch step {
        case .hit(let object):
            metrics.memoryHits.increment()
            return .found(object)
        case .missing:
            metrics.negativeHits.increment()
            return .notFound
        case .wait(let task, let joined):
            if joined { metrics.coalesced.increment() }
            return try await task.value
        }
    }

    /// Drops every cached object of `videoID` from memory and disk (the video was deleted).
    public func purge(videoID: String) async {
        state.withLock { state in
            for key in state.memory.keysOldestFirst where key.videoID == videoID { _ = state.memory.remove(key) }
            state.negative = state.negative.filter { $0.key.videoID != videoID }
        }
        metrics.memoryBytes.record(memoryBytes)
        await disk?.purge(videoID: videoID)
    }

    /// Disk, then origin; stores the answer and ends the in-flight entry.
    private func load(_ key: VODObjectKey) async throws -> Lookup {
        do {
            let result = try await loadUncached(key)
            let now = ContinuousClock.now
            let evicted = state.withLock { state -> Int in
                state.inflight[key] = nil
                switch result {
                case .found(let object):
                    let expires = key.path.isPlaylist ? now + configuration.playlistTTL : nil
                    return state.memory.insert(key, value: MemoryEntry(object: object, expires: expires), cost: object.size)
                        .filter { $0.key != key }.count
                case .notFound:
                    state.negative[key] = now + configuration.negativeTTL
                    if state.negative.count > 10_000 { state.negative = state.negative.filter { $0.value > now } }
                    return 0
                }
            }
            metrics.evictions.increment(by: evicted)
            metrics.memoryBytes.record(memoryBytes)
            return result
        } catch {
            state.withLock { _ = $0.inflight.removeValue(forKey: key) }
            throw error
        }
    }

    private func loadUncached(_ key: VODObjectKey) async throws -> Lookup {
        if let disk, let object = await disk.read(key) {
            metrics.diskHits.increment()
            return .found(object)
        }
        metrics.misses.increment()
        switch try await fetcher.fetch(key) {
        case .found(let object):
            metrics.originBytes.increment(by: object.size)
            if let disk, !key.path.isPlaylist {
                await disk.write(key, object)
                metrics.diskBytes.record(disk.totalBytes)
            }
            return .found(object)
        case .notFound:
            return .notFound
        }
    }
}

/// Edge cache metrics (Prometheus names in docs/hls.md).
struct VODCacheMetrics: Sendable {
    let memoryHits = Counter(label: "streamly_vod_cache_requests_total", dimensions: [("result", "memory_hit")])
    let diskHits = Counter(label: "streamly_vod_cache_requests_total", dimensions: [("result", "disk_hit")])
    let misses = Counter(label: "streamly_vod_cache_requests_total", dimensions: [("result", "miss")])
    let coalesced = Counter(label: "streamly_vod_cache_requests_total", dimensions: [("result", "coalesced")])
    let negativeHits = Counter(label: "streamly_vod_cache_requests_total", dimensions: [("result", "negative_hit")])
    let evictions = Counter(label: "streamly_vod_cache_evictions_total", dimensions: [("tier", "memory")])
    let originBytes = Counter(label: "streamly_vod_origin_bytes_total")
    let memoryBytes = Gauge(label: "streamly_vod_cache_bytes", dimensions: [("tier", "memory")])
    let diskBytes = Gauge(label: "streamly_vod_cache_bytes", dimensions: [("tier", "disk")])
}

import Foundation
import NIOCore
import StreamLyAPI
@testable import StreamLyEdge
import Synchronization
import Testing

/// Counts fetches and answers after a delay, so concurrent misses overlap.
final class FakeFetcher: VODObjectFetcher {
    let calls = Mutex<[VODObjectKey]>([])
    let objects: [VODObjectKey: VODObject]
    let delay: Duration
    init(objects: [VODObjectKey: VODObject], delay: Duration = .milliseconds(50)) {
        self.objects = objects
        self.delay = delay
    }
    var count: Int { calls.withLock { $0.count } }
    func fetch(_ key: VODObjectKey) async throws -> VODFetchResult {
        calls.withLock { $0.append(key) }
        try await Task.sleep(for: delay)
        return objects[key].map { .found($0) } ?? .notFound
    }
}

@Suite struct VODCacheTests {
    static func key(_ segment: Int, video: String = "v1") -> VODObjectKey {
        VODObjectKey(videoID: video, path: .rendition(rung: "720p", file: .segment(segment)))
    }
    static func object(_ size: Int, _ fill: UInt8 = 1) -> VODObject {
        VODObject(body: ByteBuffer(repeating: fill, count: size), contentType: "video/mp4", etag: "e\(size)-\(fill)")
    }

    func cache(_ fetcher: FakeFetcher, memory: Int = 1 << 20, disk: String? = nil, diskBytes: Int = 0) throws -> VODCache {
        try VODCache(configuration: .init(memoryBytes: memory, directory: disk, diskBytes: diskBytes,
                                          negativeTTL: .seconds(60)), fetcher: fetcher)
    }

    @Test func concurrentMissesCoalesceIntoOneFetch() async throws {
        let fetcher = FakeFetcher(objects: [Self.key(1): Self.object(1_000)])
        let cache = try cache(fetcher)
        let results = try await withThrowingTaskGroup(of: VODCache.Lookup.self) { group in
            for _ in 0..<200 { group.addTask { try await cache.object(Self.key(1)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(fetcher.count == 1)
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0 == .found(Self.object(1_000)) })
        // Now a memory hit.
        #expect(try await cache.object(Self.key(1)) == .found(Self.object(1_000)))
        #expect(fetcher.count == 1)
    }

    @Test func notFoundIsCachedNegatively() async throws {
        let fetcher = FakeFetcher(objects: [:], delay: .zero)
        let cache = try cache(fetcher)
        #expect(try await cache.object(Self.key(9)) == .notFound)
        #expect(try await cache.object(Self.key(9)) == .notFound)
        #expect(fetcher.count == 1)
    }

    @Test func memoryBudgetEvictsLeastRecentlyUsed() async throws {
        let objects = Dictionary(uniqueKeysWithValues: (1...3).map { (Self.key($0), Self.object(400, UInt8($0))) })
        let fetcher = FakeFetcher(objects: objects, delay: .zero)
        let cache = try cache(fetcher, memory: 1_000)
        _ = try await cache.object(Self.key(1))
        _ = try await cache.object(Self.key(2))
        _ = try await cache.object(Self.key(1))  // 2 is now the oldest
        _ = try await cache.object(Self.key(3))  // evicts 2
        #expect(cache.memoryBytes == 800)
        _ = try await cache.object(Self.key(1))
        #expect(fetcher.count == 3)
        _ = try await cache.object(Self.key(2))
        #expect(fetcher.count == 4)
    }

    @Test func diskTierServesWhatMemoryEvicted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vod-cache-test-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let objects = Dictionary(uniqueKeysWithValues: (1...4).map { (Self.key($0), Self.object(400, UInt8($0))) })
        let fetcher = FakeFetcher(objects: objects, delay: .zero)
        let cache = try cache(fetcher, memory: 500, disk: directory, diskBytes: 1_000)
        for segment in 1...3 { _ = try await cache.object(Self.key(segment)) }
        #expect(fetcher.count == 3)
        // Disk holds 2 and 3 (1 was evicted past 1000 bytes); memory holds 3 only.
        #expect(try await cache.object(Self.key(2)) == .found(objects[Self.key(2)]!))
        #expect(fetcher.count == 3)
        #expect(try await cache.object(Self.key(1)) == .found(objects[Self.key(1)]!))
        #expect(fetcher.count == 4)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".obj") }
        #expect(files.count == 2)
        #expect(cache.disk!.totalBytes == 800)
    }

    @Test func fetchErrorsReachEveryWaiterAndAreNotCached() async throws {
        struct Boom: Error {}
        final class Failing: VODObjectFetcher {
            let calls = Mutex(0)
            func fetch(_ key: VODObjectKey) async throws -> VODFetchResult {
                calls.withLock { $0 += 1 }
                try await Task.sleep(for: .milliseconds(20))
                throw Boom()
            }
        }
        let fetcher = Failing()
        let cache = try VODCache(configuration: .init(memoryBytes: 1_000, directory: nil), fetcher: fetcher)
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 { group.addTask { (try? await cache.object(Self.key(1))) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        #expect(fetcher.calls.withLock { $0 } == 1)
        _ = try? await cache.object(Self.key(1))
        #expect(fetcher.calls.withLock { $0 } == 2)
    }
}

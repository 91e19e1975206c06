import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import StreamLyAPI
@testable import StreamLyEdge
import StreamLyTokens
import Synchronization
import Testing

/// The HLS routes on Hummingbird's in-process router test framework, over a fake origin.
@Suite struct HLSRoutesTests {
    static let codec = try! PlaybackTokenCodec(key: Array("hls-routes-tests-key-0123456789abcdef".utf8))
    static let segment = ByteBuffer(bytes: (0..<1_000).map { UInt8(truncatingIfNeeded: $0) })
    static let master = ByteBuffer(string: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n")

    func withApp(revocations: VODRevocations = VODRevocations(), cacheOut: (@Sendable (VODCache) -> Void)? = nil,
                 _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let objects: [VODObjectKey: VODObject] = [
            VODObjectKey(videoID: "v1", path: .rendition(rung: "360p", file: .segment(1))):
                VODObject(body: Self.segment, contentType: "video/mp4", etag: "abc"),
            VODObjectKey(videoID: "v1", path: .master):
                VODObject(body: Self.master, contentType: "application/vnd.apple.mpegurl", etag: "m1"),
        ]
        let cache = try VODCache(configuration: .init(directory: nil), fetcher: FakeFetcher(objects: objects, delay: .zero))
        cacheOut?(cache)
        let router = Router(context: EdgeRequestContext.self)
        HLSRoutes(cache: cache, tokens: Self.codec, playlistMaxAge: 60, revocations: revocations).register(on: router)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    var token: String { Self.codec.sign(videoID: "v1", lifetime: 600) }

    @Test func segmentWithValidatorsRangesAndCORS() async throws {
        let token = self.token
        try await withApp { client in
            let uri = "/vod/v1/360p/seg_00001.m4s?token=\(token)"
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body == Self.segment)
                #expect(response.headers[.eTag] == "\"abc\"")
                #expect(response.headers[.contentType] == "video/mp4")
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
            try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: "W/\"x\", \"abc\""]) { response in
                #expect(response.status == .notModified)
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=100-199"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 100-199/1000")
                #expect(response.body == Self.segment.getSlice(at: 100, length: 100))
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=100-199", .ifRange: "\"old\""]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=1000-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */1000")
            }
            try await client.execute(uri: uri, method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "1000")
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/vod/v1/360p/seg_00001.m4s", method: .options) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowMethods] == "GET, HEAD, OPTIONS")
            }
        }
    }

    @Test func playlistsAreRewrittenAndValidatedPerToken() async throws {
        let token = self.token
        let other = Self.codec.sign(videoID: "v1", lifetime: 900)
        try await withApp { client in
            let first = try await client.execute(uri: "/vod/v1/master.m3u8?token=\(token)", method: .get)
            #expect(String(buffer: first.body).contains("360p/index.m3u8?token=\(token)"))
            #expect(first.headers[.cacheControl] == "private, max-age=60")
            let second = try await client.execute(uri: "/vod/v1/master.m3u8?token=\(other)", method: .get)
            #expect(first.headers[.eTag] != second.headers[.eTag])
        }
    }

    @Test func tokensAndGrammar() async throws {
        let expired = Self.codec.sign(videoID: "v1", now: Date().addingTimeInterval(-100), lifetime: 10)
        let otherVideo = Self.codec.sign(videoID: "v2", lifetime: 600)
        let token = self.token
        try await withApp { client in
            for query in ["", "?token=", "?token=x.y.z", "?token=\(expired)", "?token=\(otherVideo)"] {
                try await client.execute(uri: "/vod/v1/360p/seg_00001.m4s\(query)", method: .get) { response in
                    #expect(response.status == .forbidden, "\(query)")
                    #expect(String(buffer: response.body).contains("\"error\""))
                }
            }
            for path in ["360p/../master.m3u8", "360p/seg_1.m4s", "x/y/z", "360p/%2e%2e/a"] {
                try await client.execute(uri: "/vod/v1/\(path)?token=\(token)", method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                }
            }
            try await client.execute(uri: "/vod/v1/360p/seg_00002.m4s?token=\(token)", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/vod/v1/360p/seg_00001.m4s", method: .head) { response in
                #expect(response.status == .forbidden)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    /// A `deleted` event revokes the video: its still-valid tokens get 404, and the cache drops it.
    @Test func deletedVideosAreRefusedAndPurged() async throws {
        let token = self.token
        let revocations = VODRevocations()
        let box = CacheBox()
        try await withApp(revocations: revocations, cacheOut: { box.set($0) }) { client in
            let uri = "/vod/v1/360p/seg_00001.m4s?token=\(token)"
            try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok) }
            #expect((box.get()?.memoryBytes ?? 0) > 0)
            revocations.revoke("v1")
            await box.get()?.purge(videoID: "v1")
            #expect(box.get()?.memoryBytes == 0)
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("deleted"))
            }
        }
        #expect(revocations.isRevoked("v1") && !revocations.isRevoked("v2"))
    }

    @Test func revocationsAreBoundedAndExpire() {
        let revocations = VODRevocations(lifetime: .seconds(10), maxEntries: 3)
        let start = ContinuousClock.now
        for index in 0..<5 { revocations.revoke("v\(index)", now: start) }
        #expect(revocations.count == 3)
        #expect(!revocations.isRevoked("v0", now: start) && revocations.isRevoked("v4", now: start))
        #expect(!revocations.isRevoked("v4", now: start + .seconds(11)))
        revocations.revoke("late", now: start + .seconds(11))
        #expect(revocations.count == 1, "expired ids are forgotten")
    }
}

final class CacheBox: Sendable {
    private let value = Mutex<VODCache?>(nil)
    func set(_ cache: VODCache) { value.withLock { $0 = cache } }
    func get() -> VODCache? { value.withLock { $0 } }
}

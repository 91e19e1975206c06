import Crypto
import Foundation
import IntegrationSupport
import Testing

/// Issue 11, item 6, on real processes: a video's visibility decides who reads it, only its
/// owner changes or deletes it, and a deleted video is gone everywhere: its objects from S3,
/// its entry, and its HLS objects from the edge (the same playback URL answers 404 at once,
/// although its token is still validly signed, and the edge's disk cache drops its files).
@Suite("Video access", .serialized)
struct VideoAccessTests {
    struct Listed: Decodable {
        struct Entry: Decodable { var id: String; var visibility: String? }
        var videos: [Entry]
        var next_cursor: String?
    }

    @Test func visibilityOwnershipAndDeletion() async throws {
        let media = try MediaTools()
        defer { media.clean() }
        let clip = try await media.clip("access", seconds: 4, width: 640, height: 360)
        try await VODCluster.with { cluster in
            let tus = TusCurl(port: cluster.edgePort)
            let rest = REST(port: cluster.edgePort)
            let owner = try await tus.signup("owner")
            let stranger = try await tus.signup("stranger")

            // Private at upload: the owner's alone.
            let created = try await rest.call("POST", "/videos", json: ["title": "mine", "size": Self.size(clip),
                                                                         "visibility": "private"], token: owner.token)
            #expect(created.status == 201, "\(created.text)")
            struct Created: Decodable { var id: String; var upload_url: String }
            let video = try created.decode(Created.self)
            try await tus.upload(clip, to: video.upload_url, token: owner.token)
            let ready = try await tus.waitForVideo(video.id, token: owner.token, timeout: .seconds(120)) {
                ["ready", "failed"].contains($0.status)
            }
            #expect(ready.status == "ready", "\(ready.error ?? "")")
            let mine = try await rest.call("GET", "/videos/\(video.id)", token: owner.token)
            #expect(mine.text.contains("\"visibility\":\"private\"") && mine.text.contains("\"owned\":true"), "\(mine.text)")
            #expect(try await rest.call("GET", "/videos/\(video.id)", token: stranger.token).status == 404)
            #expect(try await Self.listed(rest, stranger).contains(video.id) == false)
            let invalid = try await rest.call("POST", "/videos", json: ["title": "x", "visibility": "secret"], token: owner.token)
            #expect(invalid.status == 400, "unknown visibility: \(invalid.text)")

            // Only the owner changes it; unlisted: readable by id, not listed; public: listed.
            #expect(try await rest.call("PATCH", "/videos/\(video.id)", json: ["visibility": "public"], token: stranger.token)
                .status == 404)
            #expect(try await rest.call("PATCH", "/videos/\(video.id)", json: ["visibility": "unlisted"], token: owner.token)
                .status == 200)
            let unlisted = try await rest.call("GET", "/videos/\(video.id)", token: stranger.token)
            #expect(unlisted.status == 200 && unlisted.text.contains("\"owned\":false"), "\(unlisted.text)")
            #expect(try await Self.listed(rest, stranger).contains(video.id) == false)
            #expect(try await rest.call("PATCH", "/videos/\(video.id)", json: ["visibility": "public"], token: owner.token)
                .status == 200)
            #expect(try await Self.listed(rest, stranger).contains(video.id))

            // Played (and cached) through the edge.
            let playback = try #require(try await tus.video(video.id, token: stranger.token).playback_url)
            let master = "http://127.0.0.1:\(cluster.edgePort)" + playback
            #expect(try await curl(master).status == 200)
            let token = String(playback.split(separator: "=").last ?? "")
            let rung = ready.renditions.last?.name ?? "360p"
            let segment = "http://127.0.0.1:\(cluster.edgePort)/vod/\(video.id)/\(rung)/seg_00001.m4s?token=\(token)"
            #expect(try await curl(segment).status == 200)
            let cached = cluster.edgeDirectory.appendingPathComponent("cache/" + Self.cacheName(video.id, "\(rung)/seg_00001.m4s") + ".obj")
            #expect(FileManager.default.fileExists(atPath: cached.path), "the segment is in the edge's disk cache")

            // Only the owner deletes it.
            #expect(try await rest.call("DELETE", "/videos/\(video.id)", token: stranger.token).status == 404)
            let deleted = try await rest.call("DELETE", "/videos/\(video.id)", token: owner.token)
            #expect(deleted.status == 204, "\(deleted.status) \(deleted.text)")

            // The edge learns it from the `deleted` event: the same signed URLs answer 404.
            let deadline = ContinuousClock.now + .seconds(20)
            var statuses = (master: 200, segment: 200)
            while ContinuousClock.now < deadline {
                statuses = (try await curl(master).status, try await curl(segment).status)
                if statuses == (404, 404) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(statuses == (404, 404), "deleted video still served: \(statuses)")
            #expect(!FileManager.default.fileExists(atPath: cached.path), "the edge dropped its cached files")
            #expect(try await rest.call("GET", "/videos/\(video.id)", token: owner.token).status == 404)
            #expect(try await Self.listed(rest, stranger).contains(video.id) == false)
            for key in ["vod/\(video.id)/master.m3u8", "vod/\(video.id)/\(rung)/seg_00001.m4s", "vod/\(video.id)/poster.jpg",
                        "uploads/\(video.id)/source"] {
                #expect(try await cluster.object(key).status == 404, "\(key) removed from storage")
            }
            #expect(try await rest.call("DELETE", "/videos/\(video.id)", token: owner.token).status == 404)
        }
    }

    static func size(_ file: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
    }

    static func listed(_ rest: REST, _ account: REST.Account) async throws -> [String] {
        let answer = try await rest.call("GET", "/videos?limit=200", token: account.token)
        guard answer.status == 200 else { throw TestFailure("GET /videos: \(answer.status) \(answer.text)") }
        return try answer.decode(Listed.self).videos.map(\.id)
    }

    /// The edge's disk-cache file name of an object (SHA-256 of `video/path`, as `VODDiskCache` names it).
    static func cacheName(_ video: String, _ path: String) -> String {
        SHA256.hash(data: Array("\(video)/\(path)".utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

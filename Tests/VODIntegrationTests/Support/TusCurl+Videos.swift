import Foundation
import IntegrationSupport

/// `POST /videos`, a whole tus upload in pieces, and `GET /videos/{id}`.
extension TusCurl {
    /// `GET /videos/{id}`.
    struct Video: Decodable, Sendable {
        struct Rendition: Decodable, Sendable, Equatable {
            var name: String
            var width: Int
            var height: Int
            var bandwidth: Int
        }
        var id: String
        var title: String
        var status: String
        var progress: Double
        var error: String?
        var renditions: [Rendition]
        var duration: Double?
        var playback_url: String?
    }

    /// Creates a video of `file`'s size; returns its id and tus URL.
    func createVideo(title: String, file: URL, token: String) async throws -> (id: String, url: String) {
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        return try await createVideo(title: title, size: size, token: token)
    }

    /// Creates a video of `size` bytes; returns its id and tus URL.
    func createVideo(title: String, size: Int, token: String) async throws -> (id: String, url: String) {
        let answer = try await call("POST", "/videos", token: token, tus: false, json: #"{"title":"\#(title)","size":\#(size)}"#)
        struct Created: Decodable { var id: String; var upload_url: String }
        guard answer.status == 201, let created = try? JSONDecoder().decode(Created.self, from: answer.body) else {
            throw TestFailure("POST /videos: HTTP \(answer.status) \(answer.text)")
        }
        return (created.id, created.upload_url)
    }

    /// Uploads `file` to `url` in `pieces` PATCHes (so watchers see progress between them).
    func upload(_ file: URL, to url: String, token: String, pieces: Int = 1) async throws {
        let bytes = try Data(contentsOf: file)
        let step = (bytes.count + pieces - 1) / pieces
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            let answer = try await patch(url, token: token, offset: Int64(offset), bytes: bytes[offset..<end])
            guard answer.status == 204, answer.offset == Int64(end) else {
                throw TestFailure("PATCH at \(offset): HTTP \(answer.status) offset \(answer.offset.map(String.init) ?? "-") \(answer.text)")
            }
            offset = end
        }
    }

    func video(_ id: String, token: String) async throws -> Video {
        let answer = try await call("GET", "/videos/\(id)", token: token, tus: false)
        guard answer.status == 200, let video = try? JSONDecoder().decode(Video.self, from: answer.body) else {
            throw TestFailure("GET /videos/\(id): HTTP \(answer.status) \(answer.text)")
        }
        return video
    }

    /// Signs a user up, creates a video of `file`, uploads it whole and waits until it is ready or failed.
    func uploadUntilDone(_ file: URL, title: String, timeout: Duration) async throws -> (video: (id: String, url: String), info: Video) {
        let user = try await signup("pipe")
        let video = try await createVideo(title: title, file: file, token: user.token)
        try await upload(file, to: video.url, token: user.token)
        let info = try await waitForVideo(video.id, token: user.token, timeout: timeout) { ["ready", "failed"].contains($0.status) }
        return (video, info)
    }

    /// Polls `GET /videos/{id}` until `done` holds (errors while an origin fails over are retried).
    func waitForVideo(_ id: String, token: String, timeout: Duration,
                      until done: (Video) -> Bool) async throws -> Video {
        let deadline = ContinuousClock.now + timeout
        var last: Video?
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                let video = try await video(id, token: token)
                if done(video) { return video }
                last = video
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("video \(id) not as expected within \(timeout): last \(last.map { "\($0.status)@\($0.progress) \($0.error ?? "")" } ?? "none"), \(lastError.map { "\($0)" } ?? "")")
    }
}

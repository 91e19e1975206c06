import Crypto
import Foundation

/// The web app's files, read once at start-up and fingerprinted: every file under the web
/// root is served below `/assets/<tree hash>/`, where the hash covers every file's path and
/// bytes, so a URL always names the same bytes (cached for a year, `immutable`) and relative
/// ES module imports keep working without a build step. Video.js, when present, gets
/// `/vendor/<hash>/…` the same way.
struct WebAssets: Sendable {
    struct File: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// `index.html` with its placeholders filled in (`%ASSETS%`, `%VIDEOJS%`, `%VIDEOJS_CSS%`).
    let indexHTML: [UInt8]
    /// Entity tag of `indexHTML`.
    let indexETag: String
    /// The tree hash in asset URLs.
    let hash: String
    /// Files by path relative to the root (`app.js`, `views/chat.js`).
    let files: [String: File]
    /// Video.js's files by name, and their hash.
    let vendorHash: String?
    let vendor: [String: File]

    /// Most files and bytes a web root may have (a misconfigured root such as `/` fails
    /// clearly instead of reading a disk).
    static let maxFiles = 500
    static let maxFileBytes = 8 << 20
    static let videojsFiles = ["video.min.js", "video-js.min.css"]

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads `root` (and `videojs`, if given) and fills in `index.html`.
    init(root: URL, videojs: URL?) throws {
        var files: [String: File] = [:]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw LoadError(description: "web root \(root.path) cannot be read")
        }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            guard !relative.hasPrefix("."), !relative.contains("/.") else { continue }
            guard files.count < Self.maxFiles else { throw LoadError(description: "web root \(root.path) has more than \(Self.maxFiles) files") }
            files[relative] = try Self.read(url)
        }
        guard let index = files.removeValue(forKey: "index.html") else {
            throw LoadError(description: "web root \(root.path) has no index.html")
        }
        hash = Self.digest(files.sorted { $0.key < $1.key }.flatMap { Array($0.key.utf8) + [0] + $0.value.bytes + [0] })
        self.files = files
        var vendor: [String: File] = [:]
        if let videojs {
            for name in Self.videojsFiles { vendor[name] = try Self.read(videojs.appendingPathComponent(name)) }
        }
        self.vendor = vendor
        vendorHash = vendor.isEmpty ? nil : Self.digest(vendor.sorted { $0.key < $1.key }.flatMap { $0.value.bytes })
        var html = String(decoding: index.bytes, as: UTF8.self)
        html = html.replacingOccurrences(of: "%ASSETS%", with: "/assets/\(hash)")
        html = html.replacingOccurrences(of: "%VIDEOJS%", with: vendorHash.map { "/vendor/\($0)/video.min.js" } ?? "")
        html = html.replacingOccurrences(of: "%VIDEOJS_CSS%", with: vendorHash.map { "/vendor/\($0)/video-js.min.css" } ?? "")
        indexHTML = Array(html.utf8)
        indexETag = "\"\(Self.digest(indexHTML))\""
    }

    private static func read(_ url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LoadError(description: "cannot read \(url.path): \(error.localizedDescription)")
        }
        guard data.count <= maxFileBytes else { throw LoadError(description: "\(url.path) is larger than \(maxFileBytes) bytes") }
        return File(bytes: Array(data), contentType: contentType(url.pathExtension))
    }

    /// The first 16 hex digits of SHA-256.
    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static func contentType(_ pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json", "webmanifest": "application/json"
        case "woff2": "font/woff2"
        case "woff": "font/woff"
        case "txt", "md": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    // MARK: Finding the files

    /// The web root: `configured`, else the first `Edge/Web` with an `index.html` in the
    /// working directory or a parent of the executable (a build in `.build/…/debug`).
    static func locateRoot(configured: String?) throws -> URL {
        if let configured {
            let url = URL(fileURLWithPath: configured)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("index.html").path) else {
                throw LoadError(description: "configuration web.root: \(configured) has no index.html")
            }
            return url
        }
        for base in searchBases() {
            let candidate = base.appendingPathComponent("Edge/Web")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("index.html").path) { return candidate }
        }
        throw LoadError(description: "no web root: set web.root (STREAMLY_WEB_ROOT) to the directory of Edge/Web, or web.enabled=false")
    }

    /// Video.js: `configured`, else `js/videojs/resources` of the `js.videojs` package in a
    /// `.state/venv` next to the working directory or the executable; nil if absent.
    static func locateVideojs(configured: String?) throws -> URL? {
        if let configured {
            let url = URL(fileURLWithPath: configured)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("video.min.js").path) else {
                throw LoadError(description: "configuration web.videojs.dir: \(configured) has no video.min.js")
            }
            return url
        }
        for base in searchBases() {
            let lib = base.appendingPathComponent(".state/venv/lib")
            guard let pythons = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { continue }
            for python in pythons.sorted() where python.hasPrefix("python") {
                let candidate = lib.appendingPathComponent("\(python)/site-packages/js/videojs/resources")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("video.min.js").path) { return candidate }
            }
        }
        return nil
    }

    /// The working directory and every parent of the executable, nearest first.
    private static func searchBases() -> [URL] {
        var bases = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var directory = executable.deletingLastPathComponent()
            while directory.path != "/" {
                bases.append(directory)
                directory = directory.deletingLastPathComponent()
            }
        }
        return bases
    }
}

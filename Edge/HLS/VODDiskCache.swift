import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The disk tier: objects as files in one directory, least recently used evicted past a
/// byte budget. The index lives in memory only (an edge holds no durable state), so the
/// directory is emptied at start-up. File names are the SHA-256 of the key, never derived
/// from request text. File I/O runs on `threadPool`.
final class VODDiskCache: Sendable {
    struct Entry: Sendable {
        var file: String
        var contentType: String
        var etag: String
        var size: Int
    }

    let directory: String
    let threadPool: NIOThreadPool
    private let index: Mutex<LRUIndex<VODObjectKey, Entry>>

    /// Creates (or empties) `directory`.
    init(directory: String, budget: Int, threadPool: NIOThreadPool = .singleton) throws {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        self.threadPool = threadPool
        self.index = Mutex(LRUIndex(budget: budget))
        let files = FileManager.default
        try files.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        for name in (try? files.contentsOfDirectory(atPath: self.directory)) ?? [] where name.hasSuffix(".obj") || name.hasSuffix(".tmp") {
            try? files.removeItem(atPath: self.directory + "/" + name)
        }
    }

    /// Bytes held on disk.
    var totalBytes: Int { index.withLock { $0.totalCost } }
    var budget: Int { index.withLock { $0.budget } }

    /// The object if the disk tier has it.
    func read(_ key: VODObjectKey) async -> VODObject? {
        guard let entry = index.withLock({ $0.get(key) }) else { return nil }
        let data = try? await threadPool.runIfActive { FileManager.default.contents(atPath: entry.file) }
        guard let data = data ?? nil, data.count == entry.size else {
            _ = index.withLock { $0.remove(key) }
            return nil
        }
        return VODObject(body: ByteBuffer(bytes: data), contentType: entry.contentType, etag: entry.etag)
    }

    /// Writes the object (through a temporary file, renamed into place) and evicts older ones.
    func write(_ key: VODObjectKey, _ object: VODObject) async {
        guard object.size <= budget else { return }
        let name = hex(SHA256.hash(data: Array("\(key.videoID)/\(key.path.relativePath)".utf8)))
        let file = "\(directory)/\(name).obj"
        let temporary = "\(directory)/\(name)-\(UInt64.random(in: 0...UInt64.max)).tmp"
        let bytes = object.body
        do {
            try await threadPool.runIfActive {
                try Data(bytes.readableBytesView).write(to: URL(fileURLWithPath: temporary))
                if rename(temporary, file) != 0 {
                    try? FileManager.default.removeItem(atPath: temporary)
                    throw VODError(.badOrigin, "rename failed")
                }
            }
        } catch {
            return
        }
        let entry = Entry(file: file, contentType: object.contentType, etag: object.etag, size: object.size)
        let removed = index.withLock { $0.insert(key, value: entry, cost: object.size) }
        let stale = removed.filter { $0.key != key }.map(\.value.file)
        guard !stale.isEmpty else { return }
        _ = try? await threadPool.runIfActive {
            for path in stale { unlink(path) }
        }
    }

    /// Drops every object of `videoID` (a deleted video) and removes its files.
    func purge(videoID: String) async {
        let files = index.withLock { index in
            index.keysOldestFirst.filter { $0.videoID == videoID }.compactMap { index.remove($0)?.file }
        }
        guard !files.isEmpty else { return }
        _ = try? await threadPool.runIfActive {
            for path in files { unlink(path) }
        }
    }
}

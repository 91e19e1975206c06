import Foundation
import NIOCore
import NIOPosix

/// An `ObjectStore` in a local directory, the embedded default when no S3 server is configured.
///
/// Layout under `root`: `objects/<key>` holds each object as a plain file (so it can be served
/// directly), `meta/<key>` its ETag and content type, `uploads/<id>/` the parts of multipart
/// uploads, `tmp/` files being written. Every write lands in `tmp/` first and is renamed into
/// place, so readers never see a partial object. Keys are checked by `LocalObjectKey`. ETags
/// follow S3 (MD5 hex; `md5(part md5s)-N` for multipart). File I/O runs on `threadPool`.
public struct LocalObjectStore: ObjectStore {
    public let root: String
    let threadPool: NIOThreadPool

    var objectsDirectory: String { root + "/objects" }
    var metadataDirectory: String { root + "/meta" }
    var uploadsDirectory: String { root + "/uploads" }
    var temporaryDirectory: String { root + "/tmp" }

    /// Creates the layout under `root` if missing.
    public init(root: String, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.threadPool = threadPool
        for directory in [objectsDirectory, metadataDirectory, uploadsDirectory, temporaryDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    @discardableResult
    public func putObject(key: String, bytes: ByteBuffer, contentType: String?) async throws -> String {
        let objectKey = try LocalObjectKey(key)
        return try await threadPool.runIfActive {
            let etag = hexString(LocalFiles.md5(bytes.readableBytesView))
            try store(objectKey, metadata: LocalObjectMetadata(etag: etag, size: bytes.readableBytes, contentType: contentType)) {
                try LocalFiles.writeAtomically(bytes.readableBytesView, to: $0, temporaryDirectory: temporaryDirectory)
            }
            return etag
        }
    }

    public func getObject(key: String, range: ObjectByteRange?) async throws -> ByteBuffer {
        let objectKey = try LocalObjectKey(key)
        return try await threadPool.runIfActive {
            let path = objectKey.path(in: objectsDirectory)
            guard let size = LocalFiles.fileSize(path), let handle = FileHandle(forReadingAtPath: path) else {
                throw S3Error.noSuchKey(key)
            }
            defer { try? handle.close() }
            guard let range else {
                return ByteBuffer(bytes: try handle.readToEnd() ?? Data())
            }
            guard range.first >= 0, range.first < size, range.last.map({ $0 >= range.first }) ?? true else {
                throw S3Error(status: 416, code: .invalidRange,
                              message: "range \(range.headerValue) not satisfiable for \(size) bytes", key: key)
            }
            let end = min(range.last.map { $0 + 1 } ?? size, size)
            try handle.seek(toOffset: UInt64(range.first))
            return ByteBuffer(bytes: try handle.read(upToCount: end - range.first) ?? Data())
        }
    }

    public func headObject(key: String) async throws -> ObjectInfo? {
        let objectKey = try LocalObjectKey(key)
        return try await threadPool.runIfActive { info(objectKey) }
    }

    public func deleteObject(key: String) async throws {
        let objectKey = try LocalObjectKey(key)
        try await threadPool.runIfActive {
            for directory in [objectsDirectory, metadataDirectory] {
                let path = objectKey.path(in: directory)
                guard !LocalFiles.isDirectory(path) else { continue }
                unlink(path)
                LocalFiles.pruneEmptyDirectories(from: objectKey.parentPath(in: directory), upTo: directory)
            }
        }
    }

    /// Keys in UTF-8 byte order, as S3 lists them; the continuation token is the last key returned.
    public func listObjects(prefix: String, continuationToken: String?, maxKeys: Int) async throws -> ObjectListing {
        try await threadPool.runIfActive {
            // Walk only the deepest directory the prefix names.
            let directoryPart = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
            let start = directoryPart.isEmpty ? objectsDirectory : objectsDirectory + "/" + directoryPart
            if !directoryPart.isEmpty, (try? LocalObjectKey(directoryPart)) == nil {
                return ObjectListing(objects: [], nextContinuationToken: nil)
            }
            var keys: [String] = []
            if let enumerator = FileManager.default.enumerator(atPath: start) {
                while let relative = enumerator.nextObject() as? String {
                    let key = directoryPart.isEmpty ? relative : directoryPart + "/" + relative
                    guard key.hasPrefix(prefix), !LocalFiles.isDirectory(objectsDirectory + "/" + key) else { continue }
                    if let token = continuationToken, !Array(token.utf8).lexicographicallyPrecedes(key.utf8) { continue }
                    keys.append(key)
                }
            }
            keys.sort { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
            let page = keys.prefix(max(0, maxKeys))
            let objects = page.compactMap { key in (try? LocalObjectKey(key)).flatMap(info) }
            let truncated = keys.count > page.count
            return ObjectListing(objects: objects, nextContinuationToken: truncated ? page.last : nil)
        }
    }

    /// Size, ETag and content type of a stored object; blocking.
    func info(_ objectKey: LocalObjectKey) -> ObjectInfo? {
        let path = objectKey.path(in: objectsDirectory)
        guard let size = LocalFiles.fileSize(path) else { return nil }
        let metadata = FileManager.default.contents(atPath: objectKey.path(in: metadataDirectory))
            .flatMap { try? JSONDecoder().decode(LocalObjectMetadata.self, from: $0) }
        if let metadata, metadata.size == size {
            return ObjectInfo(key: objectKey.key, size: size, etag: metadata.etag, contentType: metadata.contentType)
        }
        // No sidecar, or one left from an older version of the object: hash the file.
        let etag = hexString(LocalFiles.md5(FileManager.default.contents(atPath: path) ?? Data()))
        return ObjectInfo(key: objectKey.key, size: size, etag: etag, contentType: nil)
    }

    /// Puts an object in place: `write` renames a complete file to the path it is given, then the
    /// metadata sidecar follows. Blocking.
    func store(_ objectKey: LocalObjectKey, metadata: LocalObjectMetadata, write: (String) throws -> Void) throws {
        let path = objectKey.path(in: objectsDirectory)
        guard !LocalFiles.isDirectory(path) else {
            throw S3Error(status: 400, code: .invalidObjectName,
                          message: "key clashes with existing objects below it", key: objectKey.key)
        }
        try LocalFiles.makeDirectory(objectKey.parentPath(in: objectsDirectory), key: objectKey.key)
        try write(path)
        try LocalFiles.makeDirectory(objectKey.parentPath(in: metadataDirectory), key: objectKey.key)
        try LocalFiles.writeAtomically(Array(JSONEncoder().encode(metadata)), to: objectKey.path(in: metadataDirectory),
                                       temporaryDirectory: temporaryDirectory)
    }
}

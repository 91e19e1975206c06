import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system helpers of `LocalObjectStore`: blocking, run on its thread pool.
enum LocalFiles {
    /// Writes `bytes` to a fresh file in `temporaryDirectory`, then renames it over `path`
    /// (rename(2) is atomic within one file system: readers see the old or the new file, never a part).
    static func writeAtomically(_ bytes: some Sequence<UInt8>, to path: String, temporaryDirectory: String) throws {
        let temporary = temporaryDirectory + "/" + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw S3Error(status: 500, code: .unknown, message: "cannot write \(temporary)")
        }
        do {
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static func rename(_ source: String, to destination: String) throws {
        guard Foundation.rename(source, destination) == 0 else {
            let code = errno
            throw S3Error(status: code == EISDIR || code == ENOTDIR ? 400 : 500,
                          code: code == EISDIR || code == ENOTDIR ? .invalidObjectName : .unknown,
                          message: "rename to \(destination): \(String(cString: strerror(code)))")
        }
    }

    /// Creates `path` and its parents; a file in the way means the key clashes with an existing
    /// object (`a` exists and `a/b` is stored, or the reverse), which a directory cannot hold.
    static func makeDirectory(_ path: String, key: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw S3Error(status: 400, code: .invalidObjectName,
                          message: "key clashes with an existing object used as a directory", key: key)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func fileSize(_ path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        return (attributes[.size] as? NSNumber)?.intValue
    }

    static func md5<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = Insecure.MD5()
        hasher.update(data: Array(bytes))
        return Array(hasher.finalize())
    }

    /// Removes empty directories from `directory` upwards, stopping at `root`.
    static func pruneEmptyDirectories(from directory: String, upTo root: String) {
        var current = directory
        while current.count > root.count, current.hasPrefix(root + "/") {
            guard rmdir(current) == 0 else { return }
            current = String(current[..<current.lastIndex(of: "/")!])
        }
    }
}

/// What `LocalObjectStore` keeps beside each object: the ETag and content type S3 would report.
struct LocalObjectMetadata: Codable, Sendable {
    var etag: String
    var size: Int
    var contentType: String?
}

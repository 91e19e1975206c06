import Foundation
import NIOCore

/// Multipart uploads: `uploads/<id>/upload.json` names the key; `part-NNNNN` files hold parts.
/// Completion concatenates the listed parts into one file in `tmp/` and renames it into place.
extension LocalObjectStore {
    /// Smallest size of every part but the last, as in S3 (`EntityTooSmall`).
    public static let minimumPartSize = 5 * 1024 * 1024

    struct Upload: Codable {
        var key: String
        var contentType: String?
    }

    public func createMultipartUpload(key: String, contentType: String?) async throws -> String {
        _ = try LocalObjectKey(key)
        return try await threadPool.runIfActive {
            let uploadID = UUID().uuidString.lowercased()
            let directory = uploadsDirectory + "/" + uploadID
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            try LocalFiles.writeAtomically(Array(JSONEncoder().encode(Upload(key: key, contentType: contentType))),
                                           to: directory + "/upload.json", temporaryDirectory: temporaryDirectory)
            return uploadID
        }
    }

    public func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer) async throws -> String {
        guard (1...10_000).contains(partNumber) else {
            throw S3Error(status: 400, code: .invalidArgument, message: "part number \(partNumber) not in 1...10000", key: key)
        }
        return try await threadPool.runIfActive {
            let directory = try uploadDirectory(uploadID, key: key).directory
            let etag = hexString(LocalFiles.md5(bytes.readableBytesView))
            try LocalFiles.writeAtomically(bytes.readableBytesView, to: directory + "/" + Self.partName(partNumber),
                                           temporaryDirectory: temporaryDirectory)
            return etag
        }
    }

    @discardableResult
    public func completeMultipartUpload(key: String, uploadID: String, parts: [CompletedPart]) async throws -> String {
        let objectKey = try LocalObjectKey(key)
        return try await threadPool.runIfActive {
            let (directory, upload) = try uploadDirectory(uploadID, key: key)
            guard !parts.isEmpty else {
                throw S3Error(status: 400, code: .invalidArgument, message: "no parts listed", key: key)
            }
            guard zip(parts, parts.dropFirst()).allSatisfy({ $0.partNumber < $1.partNumber }) else {
                throw S3Error(status: 400, code: .invalidPartOrder, message: "parts must be listed in ascending order", key: key)
            }
            let temporary = temporaryDirectory + "/" + UUID().uuidString
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let output = FileHandle(forWritingAtPath: temporary)
            else { throw S3Error(status: 500, code: .unknown, message: "cannot write \(temporary)", key: key) }
            var digests: [UInt8] = []
            var size = 0
            do {
                defer { try? output.close() }
                for (index, part) in parts.enumerated() {
                    let path = directory + "/" + Self.partName(part.partNumber)
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw S3Error(status: 400, code: .invalidPart, message: "part \(part.partNumber) was not uploaded", key: key)
                    }
                    let digest = LocalFiles.md5(data)
                    guard hexString(digest) == unquotedETag(part.etag) else {
                        throw S3Error(status: 400, code: .invalidPart, message: "ETag mismatch for part \(part.partNumber)", key: key)
                    }
                    guard index == parts.count - 1 || data.count >= Self.minimumPartSize else {
                        throw S3Error(status: 400, code: .entityTooSmall,
                                      message: "part \(part.partNumber) is smaller than 5 MiB", key: key)
                    }
                    try output.write(contentsOf: data)
                    digests += digest
                    size += data.count
                }
            } catch {
                unlink(temporary)
                throw error
            }
            let etag = hexString(LocalFiles.md5(digests)) + "-\(parts.count)"
            do {
                try store(objectKey, metadata: LocalObjectMetadata(etag: etag, size: size, contentType: upload.contentType)) {
                    try LocalFiles.rename(temporary, to: $0)
                }
            } catch {
                unlink(temporary)
                throw error
            }
            try? FileManager.default.removeItem(atPath: directory)
            return etag
        }
    }

    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        try await threadPool.runIfActive {
            let directory = try uploadDirectory(uploadID, key: key).directory
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    /// The directory of an upload for `key`; `noSuchUpload` for unknown IDs (or IDs that are not
    /// a single path segment) and for an ID started for another key. Blocking.
    func uploadDirectory(_ uploadID: String, key: String) throws -> (directory: String, upload: Upload) {
        let valid = !uploadID.isEmpty && uploadID.utf8.allSatisfy { AWSURIEncoding.isUnreserved($0) }
            && uploadID != "." && uploadID != ".."
        let directory = uploadsDirectory + "/" + uploadID
        guard valid, let data = FileManager.default.contents(atPath: directory + "/upload.json"),
              let upload = try? JSONDecoder().decode(Upload.self, from: data), upload.key == key
        else { throw S3Error.noSuchUpload(uploadID) }
        return (directory, upload)
    }

    static func partName(_ partNumber: Int) -> String {
        let digits = String(partNumber)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}

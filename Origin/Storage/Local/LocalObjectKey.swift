/// An object key checked for storage as a relative file path under a root directory.
///
/// Refused (`S3Error.Code.invalidObjectName`, status 400): the empty key, keys over 1024 UTF-8
/// bytes, NUL, a leading `/` (absolute path), empty segments (`a//b`, trailing `/`), the
/// segments `.` and `..`, and segments over 255 bytes. What remains cannot leave the root.
struct LocalObjectKey: Sendable, Hashable {
    let key: String
    let segments: [Substring]

    init(_ key: String) throws(S3Error) {
        func refuse(_ reason: String) -> S3Error {
            S3Error(status: 400, code: .invalidObjectName, message: "object key refused: \(reason)", key: key)
        }
        guard !key.isEmpty else { throw refuse("empty") }
        guard key.utf8.count <= 1024 else { throw refuse("longer than 1024 bytes") }
        guard !key.utf8.contains(0) else { throw refuse("contains NUL") }
        guard !key.hasPrefix("/") else { throw refuse("absolute path") }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty else { throw refuse("empty path segment") }
            guard segment != "." && segment != ".." else { throw refuse("'.' or '..' segment") }
            guard segment.utf8.count <= 255 else { throw refuse("segment longer than 255 bytes") }
        }
        self.key = key
        self.segments = segments
    }

    /// The key's path below `directory`.
    func path(in directory: String) -> String {
        directory + "/" + key
    }

    /// The parent directory of `path(in:)`.
    func parentPath(in directory: String) -> String {
        segments.dropLast().reduce(directory) { $0 + "/" + $1 }
    }
}

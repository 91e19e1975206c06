import Foundation

/// Object keys of one video's upload.
struct UploadKeys: Sendable {
    let video: UUID

    /// Everything the upload stores starts with this.
    var prefix: String { "uploads/\(video.uuidString.lowercased())/" }
    /// The assembled file (the multipart upload's target).
    var source: String { prefix + "source" }
    /// The bytes past the last whole part when the stored offset is `offset`.
    func tail(_ offset: Int64) -> String { prefix + "tail-\(offset)" }
}

import Foundation

/// Parsing and checking of tus 1.0 request headers
/// (https://tus.io/protocols/resumable-upload). Pure functions of header values.
enum TusHeaders {
    /// The only protocol version served (`Tus-Resumable`, `Tus-Version`).
    static let version = "1.0.0"
    /// `Tus-Extension`.
    static let extensions = "creation,creation-defer-length,termination,checksum"
    /// `Tus-Checksum-Algorithm`, and the digest size of each.
    static let checksumAlgorithms: [(name: String, digestSize: Int)] = [("sha1", 20), ("md5", 16), ("sha256", 32)]
    /// The PATCH body's required `Content-Type`.
    static let patchContentType = "application/offset+octet-stream"

    /// A rejected header: answered 400 with `message`.
    struct Invalid: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// A non-negative decimal byte count (`Upload-Offset`, `Upload-Length`): digits only,
    /// at most 18 of them (so no overflow); nil for anything else.
    static func byteCount(_ raw: String?) -> Int64? {
        guard let raw, (1...18).contains(raw.utf8.count),
              raw.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(raw)
    }

    /// The length a creation declares: `Upload-Length`, or nil with `Upload-Defer-Length: 1`.
    /// Exactly one of the two must be present.
    static func creationLength(length: String?, deferLength: String?) throws(Invalid) -> Int64? {
        switch (length, deferLength) {
        case (let length?, nil):
            guard let value = byteCount(length) else { throw Invalid("Upload-Length must be a non-negative integer") }
            return value
        case (nil, "1"?):
            return nil
        case (nil, _?):
            throw Invalid("Upload-Defer-Length must be 1")
        case (nil, nil):
            throw Invalid("Upload-Length or Upload-Defer-Length: 1 is required")
        case (_?, _?):
            throw Invalid("Upload-Length and Upload-Defer-Length are mutually exclusive")
        }
    }

    /// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).
    /// Keys are non-empty ASCII without spaces or commas and unique; values are standard
    /// base64. Returns key → decoded value (UTF-8, lossy; "" when absent).
    static func metadata(_ raw: String?) throws(Invalid) -> [String: String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = pair.split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(fields.count) else { throw Invalid("Upload-Metadata pairs must be 'key base64value'") }
            let key = String(fields[0])
            guard key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7f }) else {
                throw Invalid("Upload-Metadata keys must be printable ASCII without spaces")
            }
            guard result[key] == nil else { throw Invalid("Upload-Metadata key \(key) appears twice") }
            if fields.count == 2 {
                guard let value = Data(base64Encoded: String(fields[1])) else {
                    throw Invalid("Upload-Metadata value of \(key) is not base64")
                }
                result[key] = String(decoding: value, as: UTF8.self)
            } else {
                result[key] = ""
            }
        }
        return result
    }

    /// `Upload-Checksum: <algorithm> <base64 digest>`; returns it normalised for the origin.
    /// Unknown algorithms and malformed digests are 400 (tus checksum extension).
    static func checksum(_ raw: String) throws(Invalid) -> String {
        let fields = raw.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2 else { throw Invalid("Upload-Checksum must be '<algorithm> <base64 digest>'") }
        let name = fields[0].lowercased()
        guard let algorithm = checksumAlgorithms.first(where: { $0.name == name }) else {
            throw Invalid("unsupported checksum algorithm \(name); supported: \(checksumAlgorithms.map(\.name).joined(separator: ","))")
        }
        guard let digest = Data(base64Encoded: String(fields[1])), digest.count == algorithm.digestSize else {
            throw Invalid("Upload-Checksum digest must be the base64 of a \(algorithm.digestSize)-byte \(name) digest")
        }
        return "\(name) \(fields[1])"
    }

    /// The video title a tus creation names: `title`, else `filename`, else "Untitled".
    static func title(_ metadata: [String: String]) -> String {
        for key in ["title", "filename"] {
            if let value = metadata[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                return String(value.prefix(200))
            }
        }
        return "Untitled"
    }
}

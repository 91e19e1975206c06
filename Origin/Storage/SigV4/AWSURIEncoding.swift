/// Percent-encoding as AWS Signature Version 4 defines it ("URI-encode each byte", sig-v4
/// "Create a canonical request"): every byte is encoded as `%XY` (upper-case hex) except the
/// unreserved characters `A-Z a-z 0-9 - _ . ~`. S3 paths are encoded once (not twice) and keep
/// their `/` separators; query names and values encode `/` too.
public enum AWSURIEncoding {
    /// Encodes one query name or value (or one path segment): `/`, `=`, `&`, space are encoded.
    public static func encode(_ string: String) -> String {
        encode(string, keepingSlash: false)
    }

    /// Encodes an absolute path (e.g. `/bucket/a b/c.txt`) segment by segment, keeping `/`.
    public static func encodePath(_ path: String) -> String {
        encode(path, keepingSlash: true)
    }

    static func encode(_ string: String, keepingSlash: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The canonical query string: names and values encoded, sorted by name then value, joined
    /// with `&`; a parameter without a value is written `name=`.
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items
            .map { (encode($0.name), encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}

/// Lower-case hex of bytes (hashes and signatures).
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// A file of a video's HLS tree, parsed from a whitelisted grammar. Anything else (dot
/// segments, percent escapes, other names) is not a `VODPath`, which the edge answers 404
/// and the origin 400, so no request can name an object outside `vod/{video_id}/`.
///
///     video_id  = 1*64( ALPHA / DIGIT / "-" / "_" )
///     path      = "master.m3u8" / "poster.jpg" / rung "/" file
///     rung      = 1*32( lower-ALPHA / DIGIT / "-" / "_" )      ; e.g. "720p", "audio"
///     file      = "index.m3u8" / "init.mp4" / "seg_" 5*9DIGIT ".m4s"
public enum VODPath: Hashable, Sendable {
    case master
    case poster
    case rendition(rung: String, file: File)

    public enum File: Hashable, Sendable {
        case playlist
        case initialization
        case segment(Int)
    }

    /// Parses the path below `/vod/{video_id}/`, given as its `/`-separated components.
    public init?(components: [Substring]) {
        switch components.count {
        case 1 where components[0] == "master.m3u8": self = .master
        case 1 where components[0] == "poster.jpg": self = .poster
        case 2:
            let rung = components[0]
            guard (1...32).contains(rung.utf8.count), rung.utf8.allSatisfy(Self.isRungByte) else { return nil }
            guard let file = Self.file(components[1]) else { return nil }
            self = .rendition(rung: String(rung), file: file)
        default: return nil
        }
    }

    /// Parses a relative path such as `720p/seg_00001.m4s`.
    public init?(_ path: some StringProtocol) {
        self.init(components: String(path).split(separator: "/", omittingEmptySubsequences: false))
    }

    /// Whether `id` is a valid video id.
    public static func isValidVideoID(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            isRungByte(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
    }

    /// The path below `/vod/{video_id}/`.
    public var relativePath: String {
        switch self {
        case .master: "master.m3u8"
        case .poster: "poster.jpg"
        case .rendition(let rung, .playlist): "\(rung)/index.m3u8"
        case .rendition(let rung, .initialization): "\(rung)/init.mp4"
        case .rendition(let rung, .segment(let number)): "\(rung)/seg_\(Self.pad(number)).m4s"
        }
    }

    public var isPlaylist: Bool {
        switch self {
        case .master, .rendition(_, .playlist): true
        default: false
        }
    }

    /// The Content-Type served for it.
    public var contentType: String {
        switch self {
        case .master, .rendition(_, .playlist): "application/vnd.apple.mpegurl"
        case .poster: "image/jpeg"
        case .rendition(_, .initialization), .rendition(_, .segment): "video/mp4"
        }
    }

    private static func file(_ name: Substring) -> File? {
        switch name {
        case "index.m3u8": return .playlist
        case "init.mp4": return .initialization
        default:
            guard name.hasPrefix("seg_"), name.hasSuffix(".m4s") else { return nil }
            let digits = name.dropFirst(4).dropLast(4)
            guard (5...9).contains(digits.utf8.count),
                  digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let number = Int(digits) else { return nil }
            // One spelling per segment: "seg_000001" and "seg_00001" must not both name it.
            guard pad(number) == digits else { return nil }
            return .segment(number)
        }
    }

    static func pad(_ number: Int) -> String {
        let digits = String(number)
        return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
    }

    private static func isRungByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}

import Foundation

/// A chat channel: public, private or direct (between exactly two users).
public struct Channel: Sendable, Hashable, Codable {
    /// Who can see a channel. See `ChannelStore` for the access rules.
    public struct Kind: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The database / wire spelling.
        public let rawValue: String

        /// Returns nil for spellings this version does not know.
        public init?(rawValue: String) {
            guard ["public", "private", "direct"].contains(rawValue) else { return nil }
            self.rawValue = rawValue
        }

        private init(known: String) { self.rawValue = known }

        /// Listed to and writable by every user.
        public static let `public` = Kind(known: "public")
        /// Visible to and writable by members only; members add members.
        public static let `private` = Kind(known: "private")
        /// A conversation between two users; membership is fixed at creation.
        public static let direct = Kind(known: "direct")

        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            let raw = try decoder.singleValueContainer().decode(String.self)
            guard let kind = Kind(rawValue: raw) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown channel kind \(raw)"))
            }
            self = kind
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    public var id: UUID
    public var name: String
    public var kind: Kind
    public var createdBy: UUID
    public var createdAt: Date
    /// The seq of the newest message (0 when empty).
    public var lastSeq: Int64

    /// The REST contract's `private` flag: true for private and direct channels.
    public var isPrivate: Bool { kind != .public }

    public init(id: UUID, name: String, kind: Kind, createdBy: UUID, createdAt: Date, lastSeq: Int64) {
        self.id = id
        self.name = name
        self.kind = kind
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastSeq = lastSeq
    }
}

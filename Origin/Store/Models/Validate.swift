import Foundation

/// Input rules shared by the stores and `AccountService`. Each throws
/// `StoreError(.invalidInput, …)` with a message that can go back to the client.
public enum Validate {
    /// Allowed username bytes: `a-z 0-9 _ . -`.
    private static let usernameBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789_.-".utf8)

    /// Lower-cases `raw` and checks it is 3–32 characters of `[a-z0-9_.-]`.
    /// - Returns: the normalised (lower-cased) username.
    public static func username(_ raw: String) throws -> String {
        let name = raw.lowercased()
        guard (3...32).contains(name.utf8.count), name.utf8.allSatisfy(usernameBytes.contains) else {
            throw StoreError(.invalidInput, "username must be 3-32 characters of a-z, 0-9, '_', '.', '-'")
        }
        return name
    }

    /// Passwords are 8–256 characters (Unicode scalars, so a multi-byte character counts once).
    public static func password(_ password: String) throws {
        guard (8...256).contains(password.unicodeScalars.count) else {
            throw StoreError(.invalidInput, "password must be 8-256 characters")
        }
    }

    /// Channel names are 1–100 characters after trimming spaces and newlines, without control
    /// characters (C0, DEL, C1: newlines and tabs included), line or paragraph separators, or
    /// bidirectional controls (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) that would let a
    /// name rewrite how the text around it reads.
    public static func channelName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else {
            throw StoreError(.invalidInput, "channel name must be 1-100 characters")
        }
        guard !name.unicodeScalars.contains(where: isControl) else {
            throw StoreError(.invalidInput, "channel name must not contain control characters")
        }
        return name
    }

    /// Control, separator and bidirectional-control scalars (see `channelName`).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: break
        }
        switch scalar.value {
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `client_id`s are 1–128 bytes of UTF-8, without U+0000.
    public static func clientID(_ clientID: String) throws {
        guard (1...128).contains(clientID.utf8.count) else {
            throw StoreError(.invalidInput, "client_id must be 1-128 bytes")
        }
        guard storable(clientID) else { throw StoreError(.invalidInput, "client_id must not contain U+0000") }
    }

    /// Whether PostgreSQL can store `text` in a `text` column: it refuses U+0000 (SQLSTATE
    /// 22021). Swift strings are valid Unicode already, so that is the one character to check.
    public static func storable(_ text: String) -> Bool {
        !text.utf8.contains(0)
    }

    /// Largest message body, in UTF-8 bytes.
    public static let maximumBodyBytes = 16 * 1024

    /// A message needs a body or at least one attachment; bodies are at most 16 KiB; at
    /// most 10 attachments.
    public static func message(body: String, attachments: [MessageAttachment]) throws {
        guard body.utf8.count <= maximumBodyBytes else {
            throw StoreError(.invalidInput, "message body is larger than \(maximumBodyBytes) bytes")
        }
        guard storable(body) else { throw StoreError(.invalidInput, "message body must not contain U+0000") }
        guard !body.isEmpty || !attachments.isEmpty else {
            throw StoreError(.invalidInput, "message needs a body or an attachment")
        }
        guard attachments.count <= 10 else {
            throw StoreError(.invalidInput, "a message carries at most 10 attachments")
        }
    }
}

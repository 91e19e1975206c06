/// The line-by-line state of one parse.
struct SDPLineParser {
    private var sawVersion = false
    private var origin: SDPOrigin?
    private var sessionName: String?
    private var timing: String?
    private var session = SessionDescription(origin: SDPOrigin(sessionID: "0", sessionVersion: "0"))
    private var media: [MediaDescription] = []

    mutating func consume(_ line: Substring, lineNumber: Int) throws(SDPParseError) {
        guard line.count >= 2, let type = line.first, type.isASCII, type.isLetter,
              line[line.index(after: line.startIndex)] == "="
        else { throw SDPParseError(.badLine, line: lineNumber, "expected <letter>=<value>, got '\(line.prefix(40))'") }
        let value = line.dropFirst(2)
        guard sawVersion else {
            guard type == "v", value == "0" else {
                throw SDPParseError(.badVersion, line: lineNumber, "the first line must be v=0")
            }
            sawVersion = true
            return
        }
        switch type {
        case "m":
            media.append(try Self.mediaLine(value, lineNumber: lineNumber))
        case "c":
            guard let connection = SDPConnection(sdpValue: value) else {
                throw SDPParseError(.badField, line: lineNumber, "c= needs <nettype> <addrtype> <address>")
            }
            if media.isEmpty { session.connection = connection } else { media[media.count - 1].connection = connection }
        case "a":
            let attribute = Self.split(value)
            if media.isEmpty {
                try SDPAttributeReader.apply(attribute, to: &session, lineNumber: lineNumber)
            } else {
                try SDPAttributeReader.apply(attribute, to: &media[media.count - 1], lineNumber: lineNumber)
            }
        case "b" where !media.isEmpty:
            media[media.count - 1].bandwidths.append(String(value))
        case "o" where media.isEmpty:
            guard let parsed = SDPOrigin(sdpValue: value) else {
                throw SDPParseError(.badField, line: lineNumber, "o= needs 6 fields")
            }
            origin = parsed
        case "s" where media.isEmpty:
            sessionName = String(value)
        case "t" where media.isEmpty:
            timing = timing ?? String(value)
        case "v":
            throw SDPParseError(.badLine, line: lineNumber, "a second v= line")
        default:
            // i=, u=, e=, p=, r=, z=, k= and unknown types: not used by WebRTC; ignored.
            break
        }
    }

    func finish() throws(SDPParseError) -> SessionDescription {
        guard sawVersion else { throw SDPParseError(.badVersion, line: 0, "empty description") }
        guard let origin else { throw SDPParseError(.missingLine, line: 0, "no o= line") }
        guard let sessionName else { throw SDPParseError(.missingLine, line: 0, "no s= line") }
        guard let timing else { throw SDPParseError(.missingLine, line: 0, "no t= line") }
        var result = session
        result.origin = origin
        result.sessionName = sessionName
        result.timing = timing
        result.media = media
        return result
    }

    /// `m=<media> <port>[/<count>] <proto> <fmt> …`.
    private static func mediaLine(_ value: Substring, lineNumber: Int) throws(SDPParseError) -> MediaDescription {
        let fields = value.sdpFields
        guard fields.count >= 3 else {
            throw SDPParseError(.badField, line: lineNumber, "m= needs <media> <port> <proto> <fmt>…")
        }
        let portParts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = UInt16(portParts[0]) else {
            throw SDPParseError(.badField, line: lineNumber, "bad port '\(fields[1].prefix(20))'")
        }
        let formats = fields.dropFirst(3).map(String.init)
        // A format listed twice would make the per-format attributes ambiguous (found by fuzzing).
        // ("99" and "099" are the same payload type).
        guard Set(formats.map { UInt8($0).map(String.init) ?? $0 }).count == formats.count else {
            throw SDPParseError(.badField, line: lineNumber, "m= lists a format twice")
        }
        var section = MediaDescription(kind: String(fields[0]), port: port, proto: String(fields[2]), formats: formats)
        if portParts.count == 2 {
            guard let count = UInt16(portParts[1]) else {
                throw SDPParseError(.badField, line: lineNumber, "bad port count '\(fields[1].prefix(20))'")
            }
            section.portCount = count
        }
        return section
    }

    /// `name:value` or a flag `name`.
    private static func split(_ value: Substring) -> (name: Substring, value: Substring?) {
        guard let colon = value.firstIndex(of: ":") else { return (value, nil) }
        return (value[..<colon], value[value.index(after: colon)...])
    }
}

/// Reading SDP text (RFC 8866 §5, §9) into the model.
extension SessionDescription {
    /// Parses `text`. Lines end in CRLF or LF (a bare CR is an error); blank lines are skipped; unknown line types and
    /// unknown attributes are kept or ignored, never fatal; required session lines, field
    /// counts and the values of known attributes are checked.
    public static func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        var parser = SDPLineParser()
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on it and on a bare "\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine
            if line.isEmpty { continue }
            // A bare CR is not allowed in any SDP value (RFC 8866 §9, `byte-string`).
            guard !line.contains("\r") else {
                throw SDPParseError(.badLine, line: lineNumber, "carriage return inside a line")
            }
            try parser.consume(line, lineNumber: lineNumber)
        }
        return try parser.finish()
    }
}

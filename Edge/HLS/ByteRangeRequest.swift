/// What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14.2): a single
/// `bytes=` range only. Other units and multiple ranges are ignored (answered 200 with the
/// whole body, as §14.2 allows); a syntactically valid range that selects nothing is
/// unsatisfiable (416 with `Content-Range: bytes */size`).
enum ByteRangeRequest: Equatable {
    /// No (usable) Range header: send everything.
    case whole
    /// Send `range` (inclusive offsets) with 206.
    case partial(ClosedRange<Int>)
    case unsatisfiable

    init(header: String?, size: Int) {
        guard let header else { self = .whole; return }
        let value = header.trimmingSpaces
        guard value.lowercased().hasPrefix("bytes=") else { self = .whole; return }
        let spec = value.dropFirst(6).trimmingSpaces
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash].trimmingSpaces
        let last = spec[spec.index(after: dash)...].trimmingSpaces
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), first.count <= 18, last.count <= 18 else {
            self = .whole
            return
        }
        switch (Int(first), Int(last)) {
        case (nil, nil):
            self = .whole
        case (nil, let suffix?):
            // bytes=-N: the last N bytes.
            guard suffix > 0, size > 0 else { self = .unsatisfiable; return }
            self = .partial(max(0, size - suffix)...(size - 1))
        case (let start?, let end):
            if let end, end < start { self = .whole; return }  // invalid: ignore the header
            guard start < size else { self = .unsatisfiable; return }
            self = .partial(start...min(end ?? (size - 1), size - 1))
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        var value = Substring(self)
        while value.first == " " || value.first == "\t" { value = value.dropFirst() }
        while value.last == " " || value.last == "\t" { value = value.dropLast() }
        return value
    }
}

extension Character {
    /// "0"..."9" only. (A range check on `Character` would also take a digit followed by a
    /// combining mark, such as "5\u{301}": one Character that compares between "0" and "9";
    /// found by the edge-input fuzzer.)
    var isASCIIDigit: Bool { asciiValue.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }
}

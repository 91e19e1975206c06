import NIOCore

/// Ordered name/value pairs carried by REQUEST, RESPONSE and MESSAGE frames
/// (like HTTP headers). Names are 1...255 bytes of UTF-8, values at most 65,535.
///
/// A received block is checked in full when its frame is decoded (structure, limits and
/// UTF-8) but kept as the wire bytes: `fields` are built on first use, a lookup by name
/// compares bytes, and sending it again copies the block. Like a received body, it is a
/// slice of the receive buffer.
public struct LinkMetadata: Hashable, Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public struct Field: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Most fields in one block.
    public static let maxFields = 64

    private enum Storage: Sendable {
        case fields([Field])
        /// A validated block as received: `count` pairs, without the count byte.
        case wire(ByteBuffer, count: Int)
    }

    private var storage: Storage

    public init() { storage = .fields([]) }
    public init(dictionaryLiteral elements: (String, String)...) {
        storage = .fields(elements.map { Field(name: $0.0, value: $0.1) })
    }

    public internal(set) var fields: [Field] {
        get {
            switch storage {
            case .fields(let fields): fields
            case .wire(let block, let count): Self.fields(of: block, count: count)
            }
        }
        set { storage = .fields(newValue) }
    }

    public subscript(name: String) -> String? {
        get {
            switch storage {
            case .fields(let fields): fields.first { $0.name == name }?.value
            case .wire(let block, let count): Self.lookup(name, in: block, count: count)
            }
        }
        set {
            var fields = self.fields
            fields.removeAll { $0.name == name }
            if let newValue { fields.append(Field(name: name, value: newValue)) }
            storage = .fields(fields)
        }
    }

    public var isEmpty: Bool {
        switch storage {
        case .fields(let fields): fields.isEmpty
        case .wire(_, let count): count == 0
        }
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public static func == (lhs: LinkMetadata, rhs: LinkMetadata) -> Bool {
        if case .wire(let a, let m) = lhs.storage, case .wire(let b, let n) = rhs.storage { return m == n && a == b }
        return lhs.fields == rhs.fields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields)
    }

    /// Why this metadata cannot be encoded (too many fields, a name or value too long), or nil.
    public var validationFailure: String? {
        guard case .fields(let fields) = storage else { return nil }  // checked when received
        if fields.count > Self.maxFields { return "metadata has \(fields.count) fields, limit \(Self.maxFields)" }
        for field in fields {
            if field.name.isEmpty || field.name.utf8.count > 255 { return "metadata name must be 1...255 bytes" }
            if field.value.utf8.count > Int(UInt16.max) { return "metadata value of \(field.name) exceeds 65,535 bytes" }
        }
        return nil
    }

    /// Encoded size in bytes, for limit checks before sending.
    public var encodedSize: Int {
        switch storage {
        case .fields(let fields): 1 + fields.reduce(0) { $0 + 3 + $1.name.utf8.count + $1.value.utf8.count }
        case .wire(let block, _): 1 + block.readableBytes
        }
    }

    /// Checks a block (§3.1: count ≤ 64, names 1...255 bytes, every string UTF-8) at the
    /// reader's position and skips it; returns its field count and where its pairs lie.
    ///
    /// The structure is walked first; when every byte of the pairs (length prefixes included)
    /// is ASCII, so is every string, and one scan of the block replaces one per string
    /// (names and values are nearly always ASCII). Otherwise each string is checked.
    static func checkBlock(in reader: inout LinkPayloadReader) throws -> (count: Int, pairs: Range<Int>) {
        let count = Int(try reader.integer(UInt8.self, field: "metadata count"))
        guard count <= maxFields else {
            throw LinkProtocolError(.protocolError, "metadata has \(count) fields, limit \(maxFields)")
        }
        let start = reader.offset
        var structure = reader
        for _ in 0..<count {
            let nameLength = Int(try structure.integer(UInt8.self, field: "metadata name"))
            guard nameLength > 0 else { throw LinkProtocolError(.protocolError, "empty metadata name") }
            try structure.skip(length: nameLength, field: "metadata name")
            let valueLength = Int(try structure.integer(UInt16.self, field: "metadata value"))
            try structure.skip(length: valueLength, field: "metadata value")
        }
        if structure.isASCII(start..<structure.offset) {
            reader = structure
        } else {
            for _ in 0..<count {
                let nameLength = Int(try reader.integer(UInt8.self, field: "metadata name"))
                try reader.skipUTF8(length: nameLength, field: "metadata name")
                let valueLength = Int(try reader.integer(UInt16.self, field: "metadata value"))
                try reader.skipUTF8(length: valueLength, field: "metadata value")
            }
        }
        return (count, start..<reader.offset)
    }

    /// A block `checkBlock` accepted: its `count` pairs, as received.
    init(checked pairs: ByteBuffer, count: Int) {
        storage = count == 0 ? .fields([]) : .wire(pairs, count: count)
    }

    func encode(into writer: inout LinkFrameWriter) {
        switch storage {
        case .fields(let fields):
            precondition(fields.count <= Self.maxFields, "too many metadata fields")
            writer.integer(UInt8(fields.count))
            for field in fields {
                writer.string8(field.name)
                writer.string16(field.value)
            }
        case .wire(let block, let count):
            writer.integer(UInt8(count))
            writer.buffer(block)
        }
    }

    // MARK: - Reading a validated block

    private static func fields(of block: ByteBuffer, count: Int) -> [Field] {
        var block = block
        var fields: [Field] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            let nameLength = Int(block.readInteger(as: UInt8.self)!)
            let name = block.readString(length: nameLength)!
            let valueLength = Int(block.readInteger(as: UInt16.self)!)
            fields.append(Field(name: name, value: block.readString(length: valueLength)!))
        }
        return fields
    }

    private static func lookup(_ name: String, in block: ByteBuffer, count: Int) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            var block = block
            for _ in 0..<count {
                let nameLength = Int(block.readInteger(as: UInt8.self)!)
                let matches = nameLength == wanted.count && block.withUnsafeReadableBytes { bytes in
                    UnsafeRawBufferPointer(rebasing: bytes[..<nameLength]).elementsEqual(wanted)
                }
                block.moveReaderIndex(forwardBy: nameLength)
                let valueLength = Int(block.readInteger(as: UInt16.self)!)
                if matches { return block.readString(length: valueLength)! }
                block.moveReaderIndex(forwardBy: valueLength)
            }
            return nil
        }
    }
}

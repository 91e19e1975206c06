import NIOCore

/// Ordered name/value pairs carried by REQUEST, RESPONSE and MESSAGE frames
/// (like HTTP headers). Names are 1...255 bytes of UTF-8, values at most 65,535.
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

    public private(set) var fields: [Field]

    public init() { fields = [] }
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            fields.removeAll { $0.name == name }
            if let newValue { fields.append(Field(name: name, value: newValue)) }
        }
    }

    public var isEmpty: Bool { fields.isEmpty }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Why this metadata cannot be encoded (too many fields, a name or value too long), or nil.
    public var validationFailure: String? {
        if fields.count > Self.maxFields { return "metadata has \(fields.count) fields, limit \(Self.maxFields)" }
        for field in fields {
            if field.name.isEmpty || field.name.utf8.count > 255 { return "metadata name must be 1...255 bytes" }
            if field.value.utf8.count > Int(UInt16.max) { return "metadata value of \(field.name) exceeds 65,535 bytes" }
        }
        return nil
    }

    /// Encoded size in bytes, for limit checks before sending.
    public var encodedSize: Int { 1 + fields.reduce(0) { $0 + 3 + $1.name.utf8.count + $1.value.utf8.count } }

    static func decode(from buffer: inout ByteBuffer) throws -> LinkMetadata {
        let count = Int(try buffer.readLinkInteger(UInt8.self, field: "metadata count"))
        guard count <= maxFields else {
            throw LinkProtocolError(.protocolError, "metadata has \(count) fields, limit \(maxFields)")
        }
        var metadata = LinkMetadata()
        metadata.fields.reserveCapacity(count)
        for _ in 0..<count {
            let name = try buffer.readString8(field: "metadata name")
            guard !name.isEmpty else { throw LinkProtocolError(.protocolError, "empty metadata name") }
            let value = try buffer.readString16(field: "metadata value", limit: Int(UInt16.max))
            metadata.fields.append(Field(name: name, value: value))
        }
        return metadata
    }

    func encode(into buffer: inout ByteBuffer) {
        precondition(fields.count <= Self.maxFields, "too many metadata fields")
        buffer.writeInteger(UInt8(fields.count))
        for field in fields {
            buffer.writeString8(field.name)
            buffer.writeString16(field.value)
        }
    }
}

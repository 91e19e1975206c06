import NIOCore

extension LinkFrame {
    /// The connecting peer's proof: an HMAC-SHA256 over both nonces and node IDs
    /// (32 bytes), or empty when the method is mutual TLS.
    public struct Auth: Hashable, Sendable {
        public var proof: [UInt8]
        public init(proof: [UInt8]) { self.proof = proof }

        static func decode(from buffer: inout ByteBuffer) throws -> Auth {
            let length = Int(try buffer.readLinkInteger(UInt8.self, field: "proof length"))
            let proof = try buffer.readLinkBytes(length: length, field: "proof")
            try buffer.expectFullyConsumed(.auth)
            return Auth(proof: proof)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(UInt8(proof.count))
            buffer.writeBytes(proof)
        }
    }

    /// The accepting peer's acceptance and its own proof, so authentication is mutual.
    public struct AuthOK: Hashable, Sendable {
        public var proof: [UInt8]
        public init(proof: [UInt8]) { self.proof = proof }

        static func decode(from buffer: inout ByteBuffer) throws -> AuthOK {
            let length = Int(try buffer.readLinkInteger(UInt8.self, field: "proof length"))
            let proof = try buffer.readLinkBytes(length: length, field: "proof")
            try buffer.expectFullyConsumed(.authOK)
            return AuthOK(proof: proof)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(UInt8(proof.count))
            buffer.writeBytes(proof)
        }
    }
}

import NIOCore

extension LinkFrame {
    /// The accepting peer's answer to HELLO: the chosen version and auth method, its own nonce and settings.
    public struct Welcome: Hashable, Sendable {
        public var version: UInt16
        public var nodeID: String
        public var role: LinkRole
        public var authMethod: LinkAuthMethods
        public var nonce: [UInt8]
        public var settings: LinkSettings

        public init(version: UInt16, nodeID: String, role: LinkRole, authMethod: LinkAuthMethods,
                    nonce: [UInt8], settings: LinkSettings) {
            self.version = version
            self.nodeID = nodeID
            self.role = role
            self.authMethod = authMethod
            self.nonce = nonce
            self.settings = settings
        }

        static func decode(from buffer: inout ByteBuffer) throws -> Welcome {
            let version = try buffer.readLinkInteger(UInt16.self, field: "version")
            let nodeID = try buffer.readString8(field: "node id")
            let role = LinkRole(rawValue: try buffer.readLinkInteger(UInt8.self, field: "role"))
            let method = LinkAuthMethods(rawValue: try buffer.readLinkInteger(UInt8.self, field: "auth method"))
            let nonce = try buffer.readLinkBytes(length: linkNonceLength, field: "nonce")
            let settings = try LinkSettings.decode(from: &buffer)
            try buffer.expectFullyConsumed(.welcome)
            return Welcome(version: version, nodeID: nodeID, role: role, authMethod: method, nonce: nonce, settings: settings)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(version)
            buffer.writeString8(nodeID)
            buffer.writeMultipleIntegers(role.rawValue, authMethod.rawValue)
            buffer.writeBytes(nonce)
            settings.encode(into: &buffer)
        }
    }
}

import NIOCore

/// The role a peer plays on a link.
public struct LinkRole: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let edge = LinkRole(rawValue: 1)
    public static let origin = LinkRole(rawValue: 2)
    /// Operator tools and load testers.
    public static let tool = LinkRole(rawValue: 3)
    public var description: String {
        switch self {
        case .edge: "edge"
        case .origin: "origin"
        case .tool: "tool"
        default: "role(\(rawValue))"
        }
    }
}

/// Ways a peer can prove it belongs to the cluster (a bit set in HELLO, one value in WELCOME).
public struct LinkAuthMethods: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// HMAC-SHA256 challenge/response over a shared cluster secret.
    public static let clusterSecret = LinkAuthMethods(rawValue: 0x01)
    /// The peer's TLS client certificate was verified by the TLS layer (mutual TLS).
    public static let mutualTLS = LinkAuthMethods(rawValue: 0x02)
}

/// Length of the random nonces in HELLO and WELCOME.
public let linkNonceLength = 32

extension LinkFrame {
    /// First frame on a connection, sent by the connecting peer (stream 0).
    public struct Hello: Hashable, Sendable {
        /// Payload prefix that identifies a StreamLy peer.
        public static let magic: [UInt8] = Array("STRMLY".utf8)

        public var minVersion: UInt16
        public var maxVersion: UInt16
        public var nodeID: String
        public var role: LinkRole
        public var authMethods: LinkAuthMethods
        public var nonce: [UInt8]
        public var settings: LinkSettings

        public init(minVersion: UInt16, maxVersion: UInt16, nodeID: String, role: LinkRole,
                    authMethods: LinkAuthMethods, nonce: [UInt8], settings: LinkSettings) {
            self.minVersion = minVersion
            self.maxVersion = maxVersion
            self.nodeID = nodeID
            self.role = role
            self.authMethods = authMethods
            self.nonce = nonce
            self.settings = settings
        }

        static func decode(from buffer: inout ByteBuffer) throws -> Hello {
            let magic = try buffer.readLinkBytes(length: magic.count, field: "magic")
            guard magic == Self.magic else {
                throw LinkProtocolError(.protocolError, "not a StreamLy peer (bad magic)")
            }
            let minVersion = try buffer.readLinkInteger(UInt16.self, field: "min version")
            let maxVersion = try buffer.readLinkInteger(UInt16.self, field: "max version")
            guard minVersion <= maxVersion else {
                throw LinkProtocolError(.protocolError, "min version \(minVersion) above max version \(maxVersion)")
            }
            let nodeID = try buffer.readString8(field: "node id")
            let role = LinkRole(rawValue: try buffer.readLinkInteger(UInt8.self, field: "role"))
            let methods = LinkAuthMethods(rawValue: try buffer.readLinkInteger(UInt8.self, field: "auth methods"))
            let nonce = try buffer.readLinkBytes(length: linkNonceLength, field: "nonce")
            let settings = try LinkSettings.decode(from: &buffer)
            try buffer.expectFullyConsumed(.hello)
            return Hello(minVersion: minVersion, maxVersion: maxVersion, nodeID: nodeID, role: role,
                         authMethods: methods, nonce: nonce, settings: settings)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeBytes(Self.magic)
            buffer.writeMultipleIntegers(minVersion, maxVersion)
            buffer.writeString8(nodeID)
            buffer.writeMultipleIntegers(role.rawValue, authMethods.rawValue)
            buffer.writeBytes(nonce)
            settings.encode(into: &buffer)
        }
    }
}

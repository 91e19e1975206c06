import NIOCore

/// Parameters each peer announces in HELLO/WELCOME: what it accepts from the other side.
/// Unknown setting identifiers are ignored so later versions can add some.
public struct LinkSettings: Hashable, Sendable {
    /// Largest frame payload this peer accepts (16 KiB ... 16 MiB - 1). Default 64 KiB.
    public var maxFrameSize: UInt32 = 65_536
    /// Flow-control credit each new stream starts with, in body bytes. Default 1 MiB.
    public var initialStreamWindow: UInt32 = 1 << 20
    /// Connection-wide flow-control credit, in body bytes. Default 16 MiB.
    public var connectionWindow: UInt32 = 16 << 20
    /// Streams the peer may have open towards this one at once. Default 1,024.
    public var maxConcurrentStreams: UInt32 = 1_024
    /// Interval at which this peer sends PING, in milliseconds (at least 100). Default 5,000.
    /// A peer that hears nothing for three of its own intervals gives up on the connection.
    public var heartbeatIntervalMilliseconds: UInt32 = 5_000

    public init() {}

    public static let minMaxFrameSize: UInt32 = 16_384
    public static let maxMaxFrameSize: UInt32 = (1 << 24) - 1
    public static let maxWindow: UInt32 = 0x7FFF_FFFF

    enum Identifier: UInt16 {
        case maxFrameSize = 1
        case initialStreamWindow = 2
        case connectionWindow = 3
        case maxConcurrentStreams = 4
        case heartbeatIntervalMilliseconds = 5
    }

    /// Most setting entries accepted in one frame.
    static let maxEntries = 32

    static func decode(from buffer: inout ByteBuffer) throws -> LinkSettings {
        let count = Int(try buffer.readLinkInteger(UInt8.self, field: "settings count"))
        guard count <= maxEntries else {
            throw LinkProtocolError(.protocolError, "\(count) settings, limit \(maxEntries)")
        }
        var settings = LinkSettings()
        for _ in 0..<count {
            let id = try buffer.readLinkInteger(UInt16.self, field: "setting id")
            let value = try buffer.readLinkInteger(UInt32.self, field: "setting value")
            switch Identifier(rawValue: id) {
            case .maxFrameSize:
                guard (minMaxFrameSize...maxMaxFrameSize).contains(value) else {
                    throw LinkProtocolError(.protocolError, "MAX_FRAME_SIZE \(value) out of range")
                }
                settings.maxFrameSize = value
            case .initialStreamWindow:
                guard value <= maxWindow else { throw LinkProtocolError(.flowControlError, "INITIAL_STREAM_WINDOW \(value) too large") }
                settings.initialStreamWindow = value
            case .connectionWindow:
                guard value <= maxWindow else { throw LinkProtocolError(.flowControlError, "CONNECTION_WINDOW \(value) too large") }
                settings.connectionWindow = value
            case .maxConcurrentStreams:
                settings.maxConcurrentStreams = value
            case .heartbeatIntervalMilliseconds:
                guard value >= 100 else { throw LinkProtocolError(.protocolError, "HEARTBEAT_INTERVAL \(value) ms below 100 ms") }
                settings.heartbeatIntervalMilliseconds = value
            case nil:
                continue
            }
        }
        return settings
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(5))
        buffer.writeMultipleIntegers(Identifier.maxFrameSize.rawValue, maxFrameSize)
        buffer.writeMultipleIntegers(Identifier.initialStreamWindow.rawValue, initialStreamWindow)
        buffer.writeMultipleIntegers(Identifier.connectionWindow.rawValue, connectionWindow)
        buffer.writeMultipleIntegers(Identifier.maxConcurrentStreams.rawValue, maxConcurrentStreams)
        buffer.writeMultipleIntegers(Identifier.heartbeatIntervalMilliseconds.rawValue, heartbeatIntervalMilliseconds)
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 8866 §6.6).
public struct SDPRTPMap: Hashable, Sendable, SDPAttributeValue {
    public var payloadType: UInt8
    /// As written (`VP8`, `opus`, `H264`, `rtx`): compare case-insensitively.
    public var encodingName: String
    public var clockRate: UInt32
    public var channels: UInt8?

    public init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: UInt8? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard fields.count == 2, let payloadType = UInt8(fields[0]), payloadType < 128 else { return nil }
        let parts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, let clockRate = UInt32(parts[1]) else { return nil }
        var channels: UInt8?
        if parts.count == 3 {
            guard let count = UInt8(parts[2]) else { return nil }
            channels = count
        }
        self.init(payloadType: payloadType, encodingName: String(parts[0]), clockRate: clockRate, channels: channels)
    }

    public var sdpValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }
}

/// One codec as negotiated on a peer connection: payload type, `a=rtpmap`, `a=fmtp`, and the
/// RTX payload type that repairs it, if any.
public struct NegotiatedCodec: Hashable, Sendable {
    public var payloadType: UInt8
    public var name: String
    public var clockRate: UInt32
    public var channels: UInt8?
    public var formatParameters: String?
    public var rtxPayloadType: UInt8?

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: UInt8? = nil,
                formatParameters: String? = nil, rtxPayloadType: UInt8? = nil) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.formatParameters = formatParameters
        self.rtxPayloadType = rtxPayloadType
    }

    /// The video codec the forwarder handles, nil for audio.
    public var videoCodec: VideoCodec? { VideoCodec(encodingName: name) }

    /// The same codec for the SFU's purpose: name, clock, channels and, for H.264, the
    /// packetization mode and profile (the other fmtp parameters do not change the stream).
    public func isSameFormat(as other: NegotiatedCodec) -> Bool {
        guard name.lowercased() == other.name.lowercased(), clockRate == other.clockRate else { return false }
        if name.lowercased() == "h264" { return h264Profile == other.h264Profile }
        return true
    }

    var h264Profile: String {
        let parameters = SDPFormatParameters(payloadType: payloadType, value: formatParameters ?? "").parameters
        return (parameters["profile-level-id"] ?? "42001f").lowercased().prefix(4) + ";" + (parameters["packetization-mode"] ?? "0")
    }
}

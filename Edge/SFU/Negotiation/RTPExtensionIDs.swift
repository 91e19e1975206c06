/// The header extension ids negotiated for one m-section (0 = not negotiated), looked up once
/// at negotiation so the packet path reads plain integers.
public struct RTPExtensionIDs: Hashable, Sendable {
    public var mid: UInt8 = 0
    public var rid: UInt8 = 0
    public var repairedRid: UInt8 = 0
    public var audioLevel: UInt8 = 0
    public var absSendTime: UInt8 = 0
    public var transportWideCC: UInt8 = 0

    public init() {}

    public init(_ extmaps: [SDPExtMap]) {
        for extmap in extmaps {
            switch extmap.uri {
            case SDPExtMap.midURI: mid = extmap.id
            case SDPExtMap.ridURI: rid = extmap.id
            case SDPExtMap.repairedRidURI: repairedRid = extmap.id
            case SDPExtMap.audioLevelURI: audioLevel = extmap.id
            case SDPExtMap.absSendTimeURI: absSendTime = extmap.id
            case SDPExtMap.transportWideCCURI: transportWideCC = extmap.id
            default: break
            }
        }
    }
}

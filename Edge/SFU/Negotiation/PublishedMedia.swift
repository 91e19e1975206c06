/// One m-section the SFU accepted on a participant's publish connection: what the call needs
/// to route its packets (SSRCs or rids, codec, extension ids) and to describe it to others.
public struct PublishedMedia: Hashable, Sendable {
    public var mid: String
    /// "audio" or "video".
    public var kind: String
    public var codec: NegotiatedCodec
    /// Media SSRCs declared in the offer (`a=ssrc`, first of each `a=ssrc-group:FID`); empty
    /// with simulcast, where streams are identified by rid.
    public var ssrcs: [UInt32]
    /// RTX SSRC per media SSRC (`a=ssrc-group:FID media rtx`).
    public var rtxSSRCs: [UInt32: UInt32]
    /// Simulcast rids, lowest layer first (the order of `a=simulcast:send`); empty without simulcast.
    public var rids: [String]
    public var extensionIDs: RTPExtensionIDs
    /// The client's `a=msid` (stream and track id), if any.
    public var msid: String?

    public var isSimulcast: Bool { rids.count > 1 }
}

/// The SFU's answer to a publish offer and what it accepted.
public struct PublishAnswer: Hashable, Sendable {
    public var sdp: SessionDescription
    public var media: [PublishedMedia]
    /// m-sections answered with port 0 (unsupported codecs, wrong direction, over the track limit).
    public var rejectedMids: [String]
}

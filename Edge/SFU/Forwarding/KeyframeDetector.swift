import NIOCore

/// The video codecs the SFU forwards, as far as forwarding cares.
public enum VideoCodec: Hashable, Sendable {
    case vp8
    case h264

    /// From an `a=rtpmap` encoding name (case-insensitive); nil for anything else.
    public init?(encodingName: String) {
        switch encodingName.lowercased() {
        case "vp8": self = .vp8
        case "h264": self = .h264
        default: return nil
        }
    }
}

/// Keyframe detection on one RTP payload: a layer switch may only happen on a packet where
/// this answers true.
public enum KeyframeDetector {
    public static func isKeyframe(_ payload: ByteBuffer, codec: VideoCodec) -> Bool {
        switch codec {
        case .vp8:
            guard let descriptor = VP8PayloadDescriptor.parse(payload) else { return false }
            return descriptor.isKeyframeStart(in: payload)
        case .h264:
            return isH264Keyframe(payload)
        }
    }

    /// H.264 (RFC 6184, packetization-mode 1): a keyframe starts at an SPS (7) or IDR slice (5)
    /// sent as a single NAL unit, inside a STAP-A (24) or at the start of an FU-A (28) (§5.2,
    /// §5.7.1, §5.8; Chromium sends STAP-A[SPS, PPS] then FU-A(IDR)).
    public static func isH264Keyframe(_ payload: ByteBuffer) -> Bool {
        let base = payload.readerIndex
        let count = payload.readableBytes
        guard count >= 1, let header = payload.getInteger(at: base, as: UInt8.self) else { return false }
        let type = header & 0x1F
        switch type {
        case 5, 7:
            return true
        case 24:
            var offset = 1
            while offset + 2 < count {
                guard let size = payload.getInteger(at: base + offset, as: UInt16.self),
                      let nal = payload.getInteger(at: base + offset + 2, as: UInt8.self)
                else { return false }
                let nalType = nal & 0x1F
                if nalType == 5 || nalType == 7 { return true }
                offset += 2 + Int(size)
            }
            return false
        case 28:
            guard count >= 2, let fu = payload.getInteger(at: base + 1, as: UInt8.self) else { return false }
            let nalType = fu & 0x1F
            return fu & 0x80 != 0 && (nalType == 5 || nalType == 7)
        default:
            return false
        }
    }
}

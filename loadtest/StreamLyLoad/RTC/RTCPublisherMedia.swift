import NIOCore
import StreamLySFU
import StreamLySFUNative

/// The media of one synthetic publisher: Opus audio (20 ms packets) and VP8 camera video in
/// three simulcast layers (30 frames/s each), packetised as Chromium does, at the bitrates of
/// `RTCLoadProfile`. Every packet is a valid RTP packet with the mid (and rid, and audio-level)
/// header extensions the publish offer declares; every video payload starts with a VP8 payload
/// descriptor (RFC 7741 §4.2: picture id, S bit on a frame's first packet) and, on a frame's first
/// packet, the VP8 payload header (keyframes with the start code and size), so the SFU's
/// keyframe detection and picture-id rewriting work on it. The payload's last 12 bytes are the
/// stream tag (`RTCLoadTag`) and the send time. Keyframes are sent at start and on PLI/FIR.
final class RTCPublisherMedia: RTCLoadMedia {
    struct Stream {
        let ssrc: UInt32
        let layer: Int?  // nil: audio
        let tag: UInt32
        let packetsPerFrame: Int
        let payloadBytes: Int
        let interval: UInt64
        var next: UInt64 = 0
        var sequenceNumber: UInt16
        var timestamp: UInt32
        var pictureID: UInt16 = 0
        var keyframeWanted = true
        var lastKeyframe: UInt64 = 0
        /// Packets sent whose send time is inside the measurement window.
        var sentInWindow = 0
        var sent = 0
    }

    let profile: RTCLoadProfile
    var streams: [Stream]
    var window: MeasurementWindow?
    private(set) var keyframeRequests = 0

    /// - Parameter index: the publisher's index in the run (its tags).
    init(index: Int, profile: RTCLoadProfile, ssrcBase: UInt32) {
        self.profile = profile
        var generator = SystemRandomNumberGenerator()
        func stream(_ layer: Int?, _ offset: UInt32) -> Stream {
            let bitrate = layer.map { profile.videoBitrates[$0] } ?? profile.audioBitrate
            let interval = layer == nil ? profile.audioInterval : profile.frameInterval
            let bytesPerFrame = Int(UInt64(bitrate) * interval / 8 / 1_000_000_000)
            let packets = max(1, (bytesPerFrame + RTCLoadProfile.maximumPayload - 1) / RTCLoadProfile.maximumPayload)
            return Stream(ssrc: ssrcBase + offset, layer: layer, tag: RTCLoadTag.make(publisher: index, stream: Int(offset)),
                          packetsPerFrame: packets, payloadBytes: max(RTCLoadTag.length + 8, bytesPerFrame / packets),
                          interval: interval, sequenceNumber: .random(in: 0...UInt16.max, using: &generator),
                          timestamp: .random(in: 0...UInt32.max, using: &generator))
        }
        streams = [stream(nil, 0), stream(0, 1), stream(1, 2), stream(2, 3)]
    }

    var audioSSRC: UInt32 { streams[0].ssrc }

    func peer(_ peer: RTCLoadPeer<RTCPublisherMedia>, didReceiveRTP packet: ByteBuffer, now: UInt64) {}

    /// PLI and FIR ask for a keyframe of the layer they name (at most one per 100 ms).
    func peer(_ peer: RTCLoadPeer<RTCPublisherMedia>, didReceiveRTCP packet: ByteBuffer, now: UInt64) {
        var iterator = RTCPCompoundIterator(packet)
        while let rtcp = try? iterator.next() {
            switch rtcp {
            case .pictureLossIndication(let pli): wantKeyframe(ssrc: pli.mediaSSRC, now: now)
            case .fullIntraRequest(let fir): for entry in fir.entries { wantKeyframe(ssrc: entry.ssrc, now: now) }
            default: break
            }
        }
    }

    private func wantKeyframe(ssrc: UInt32, now: UInt64) {
        guard let index = streams.firstIndex(where: { $0.ssrc == ssrc && $0.layer != nil }),
              now &- streams[index].lastKeyframe > 100_000_000 else { return }
        keyframeRequests += 1
        streams[index].keyframeWanted = true
    }

    /// Sends every frame that is due by `now` (a late loop sends what it owes, up to 200 ms).
    func sendDue(now: UInt64, through peer: RTCLoadPeer<RTCPublisherMedia>) {
        guard peer.isConnected else { return }
        for index in streams.indices {
            if streams[index].next == 0 || now &- streams[index].next > 200_000_000 && now > streams[index].next {
                streams[index].next = now
            }
            while streams[index].next <= now {
                sendFrame(&streams[index], now: now, through: peer)
                streams[index].next += streams[index].interval
            }
        }
        peer.flush()
    }

    private func sendFrame(_ stream: inout Stream, now: UInt64, through peer: RTCLoadPeer<RTCPublisherMedia>) {
        let keyframe = stream.layer != nil && stream.keyframeWanted
        if keyframe {
            stream.keyframeWanted = false
            stream.lastKeyframe = now
        }
        stream.pictureID = (stream.pictureID &+ 1) & 0x7FFF
        for index in 0..<stream.packetsPerFrame {
            stream.sequenceNumber &+= 1
            var packet = ByteBuffer()
            packet.reserveCapacity(stream.payloadBytes + 40 + SRTPSession.maximumTrailerLength)
            let last = index == stream.packetsPerFrame - 1
            packet.writeInteger(UInt8(0x90))  // V=2, X=1
            let payloadType = stream.layer == nil ? RTCLoadSDP.opusPayloadType : RTCLoadSDP.vp8PayloadType
            packet.writeInteger((last && stream.layer != nil ? 0x80 : 0) | payloadType)
            packet.writeInteger(stream.sequenceNumber)
            packet.writeInteger(stream.timestamp)
            packet.writeInteger(stream.ssrc)
            // One-byte header extensions (RFC 8285 §4.2): mid, then rid or audio level; 8 bytes.
            packet.writeInteger(UInt16(0xBEDE))
            packet.writeInteger(UInt16(1))
            packet.writeInteger(RTCLoadSDP.midID << 4)
            packet.writeInteger(UInt8(ascii: stream.layer == nil ? "0" : "1"))
            if let layer = stream.layer {
                packet.writeInteger(RTCLoadSDP.ridID << 4)
                packet.writeInteger(UInt8(ascii: RTCLoadSDP.rids[layer].unicodeScalars.first!))
            } else {
                packet.writeInteger(RTCLoadSDP.audioLevelID << 4)
                packet.writeInteger(UInt8(0x80 | 30))  // voice, −30 dBov
            }
            let payloadStart = packet.writerIndex
            if stream.layer != nil {
                // VP8 payload descriptor: X, S on the first packet, PID 0; I; 15-bit picture id.
                packet.writeInteger(UInt8(index == 0 ? 0x90 : 0x80))
                packet.writeInteger(UInt8(0x80))
                packet.writeInteger(0x8000 | stream.pictureID)
                if index == 0 {
                    // VP8 payload header (RFC 6386 §9.1): frame tag with P = 0 on keyframes,
                    // show_frame; keyframes add the start code and 1280×720 (scaled per layer).
                    packet.writeInteger(UInt8(keyframe ? 0x10 : 0x11))
                    packet.writeInteger(UInt16(0x0100))
                    if keyframe {
                        packet.writeBytes([0x9D, 0x01, 0x2A])
                        let shift = UInt16(2 - stream.layer!)
                        packet.writeInteger((1280 >> shift).byteSwapped)
                        packet.writeInteger((720 >> shift).byteSwapped)
                    }
                }
            }
            let filler = stream.payloadBytes - (packet.writerIndex - payloadStart) - RTCLoadTag.length
            packet.writeRepeatingByte(0x5A, count: max(0, filler))
            packet.writeInteger(stream.tag)
            let sentAt = nowNanos()
            packet.writeInteger(sentAt)
            stream.sent += 1
            if window?.contains(sentAt) ?? false { stream.sentInWindow += 1 }
            peer.sendRTP(&packet)
        }
        stream.timestamp &+= UInt32(stream.layer == nil ? 960 : 3000)
    }
}

/// What rides at the end of every synthetic payload: a 4-byte stream tag (publisher index × 4 +
/// stream: 0 audio, 1–3 the video layers) and the 8-byte send time (monotonic nanoseconds; the
/// subscribers run in the same process).
enum RTCLoadTag {
    static let length = 12

    static func make(publisher: Int, stream: Int) -> UInt32 { UInt32(publisher * 4 + stream) }

    /// The tag and send time at the end of an unprotected RTP packet; nil when it is too short
    /// or padded.
    static func read(_ packet: ByteBuffer) -> (tag: UInt32, sentAt: UInt64)? {
        guard packet.readableBytes >= RTPPacket.fixedHeaderLength + length,
              let first = packet.getInteger(at: packet.readerIndex, as: UInt8.self), first & 0x20 == 0,
              let tag = packet.getInteger(at: packet.writerIndex - length, as: UInt32.self),
              let sentAt = packet.getInteger(at: packet.writerIndex - 8, as: UInt64.self)
        else { return nil }
        return (tag, sentAt)
    }
}

/// Bitrates and packet timing of the synthetic media.
struct RTCLoadProfile: Sendable {
    /// Bits/s of the Opus stream (payload bytes).
    var audioBitrate = 32_000
    /// Bits/s of the VP8 layers q, h, f (payload bytes): libwebrtc's targets for 320×180,
    /// 640×360 and 1280×720 are 150k, 500k and 1.7–2.5M.
    var videoBitrates = [150_000, 500_000, 1_700_000]
    var audioInterval: UInt64 = 20_000_000
    var frameInterval: UInt64 = 1_000_000_000 / 30
    /// Largest RTP payload (Chromium packetises to ~1200 bytes).
    static let maximumPayload = 1_150

    /// Packets per second a publisher sends on each stream (audio, q, h, f).
    var packetRates: [Double] {
        let audio = 1e9 / Double(audioInterval)
        let frames = 1e9 / Double(frameInterval)
        return [audio] + videoBitrates.map { bitrate in
            let bytesPerFrame = Int(Double(bitrate) / frames / 8)
            return frames * Double(max(1, (bytesPerFrame + Self.maximumPayload - 1) / Self.maximumPayload))
        }
    }
}

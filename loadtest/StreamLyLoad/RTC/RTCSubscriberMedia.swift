import NIOCore
import StreamLySFU

/// The receiving side of one synthetic participant: counts what arrives per stream tag
/// (publisher × stream), and the one-way latency from the send time in the payload, for the
/// packets sent inside the measurement window; all packets and bytes for the throughput. Like a
/// browser that joins mid-stream, it asks for a keyframe (PLI) of each video SSRC it starts
/// receiving.
final class RTCSubscriberMedia: RTCLoadMedia {
    /// Received in the window, indexed by tag.
    private(set) var receivedInWindow: [Int]
    private(set) var latencies = LatencyRecorder()
    private(set) var packets = 0
    private(set) var bytes = 0
    private(set) var untagged = 0
    var window: MeasurementWindow?
    private var videoSSRCs: Set<UInt32> = []

    init(tags: Int) {
        receivedInWindow = Array(repeating: 0, count: tags)
    }

    func peer(_ peer: RTCLoadPeer<RTCSubscriberMedia>, didReceiveRTP packet: ByteBuffer, now: UInt64) {
        packets += 1
        bytes += packet.readableBytes
        guard let (tag, sentAt) = RTCLoadTag.read(packet), Int(tag) < receivedInWindow.count else {
            untagged += 1
            return
        }
        if tag % 4 != 0, let ssrc = packet.getInteger(at: packet.readerIndex + 8, as: UInt32.self),
           videoSSRCs.count < 256, videoSSRCs.insert(ssrc).inserted {
            var pli = ByteBuffer()
            RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: ssrc).write(to: &pli)
            peer.sendRTCP(&pli)
            peer.flush()
        }
        guard window?.contains(sentAt) ?? false else { return }
        receivedInWindow[Int(tag)] += 1
        latencies.record(nanoseconds: now &- sentAt)
    }

    func peer(_ peer: RTCLoadPeer<RTCSubscriberMedia>, didReceiveRTCP packet: ByteBuffer, now: UInt64) {}
}

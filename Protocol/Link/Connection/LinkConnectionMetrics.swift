import Metrics
import NIOCore

/// Counters for one link connection, labelled by the link's name.
struct LinkConnectionMetrics: Sendable {
    let framesIn: Counter
    let framesOut: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let requestTimer: Metrics.Timer

    init(link: String) {
        framesIn = Counter(label: "streamly_link_frames_total", dimensions: [("link", link), ("direction", "in")])
        framesOut = Counter(label: "streamly_link_frames_total", dimensions: [("link", link), ("direction", "out")])
        bytesIn = Counter(label: "streamly_link_bytes_total", dimensions: [("link", link), ("direction", "in")])
        bytesOut = Counter(label: "streamly_link_bytes_total", dimensions: [("link", link), ("direction", "out")])
        requestTimer = Metrics.Timer(label: "streamly_link_request_duration_seconds", dimensions: [("link", link)],
                                     preferredDisplayUnit: .seconds)
    }
}

/// Counts the bytes a link connection reads and writes (after TLS).
final class LinkByteCounter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let metrics: LinkConnectionMetrics
    init(metrics: LinkConnectionMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        metrics.bytesIn.increment(by: unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        metrics.bytesOut.increment(by: unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

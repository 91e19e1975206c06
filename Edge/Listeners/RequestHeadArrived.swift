import HummingbirdCore
import NIOCore
import StreamLyListeners

/// The user event that ends a connection's request-head deadline: fired by the responder
/// (`RequestHeadArrived.responder(_:)`) when a request reaches the router, by the WebSocket
/// route when it upgrades, and by the ALPN dispatch when a client chose HTTP/2 (whose idle
/// timeout takes over).
struct RequestHeadArrived: Sendable {
    /// Tells `channel`'s connection that a request head arrived. After the first one the
    /// deadline handler has left the pipeline and the event passes through unnoticed (on an
    /// HTTP/2 stream's channel it is never there: the ALPN dispatch disarmed it).
    static func fire(on channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(RequestHeadArrived())
    }

    /// `responder`, ending the connection's request-head deadline first.
    static func responder(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { (request: Request, writer: consuming ResponseWriter, channel: any Channel) in
            fire(on: channel)
            try await responder(request, writer, channel)
        }
    }

    /// The handler closing a connection of `listener` whose first request head has not
    /// arrived within `timeout`.
    static func deadline(_ timeout: Duration, metrics: ListenerMetrics) -> ConnectionDeadlineHandler {
        ConnectionDeadlineHandler(timeout: TimeAmount(timeout), expired: metrics.timedOut("request-header")) {
            $0 is RequestHeadArrived
        }
    }
}

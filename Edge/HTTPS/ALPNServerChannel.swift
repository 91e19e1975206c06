import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import StreamLyListeners

/// A TLS child channel that picks its HTTP version by ALPN (RFC 7301): `h2` gets the HTTP/2
/// pipeline (every stream → the router), `http/1.1` or no ALPN gets HTTP/1.1 with WebSocket
/// upgrade (so `wss://…/ws` works on the same port). Hummingbird's own HTTP/2 channel falls
/// back to plain HTTP/1.1 without upgrade, hence this type. A handshake not finished within
/// `handshakeTimeout` closes the connection; choosing `h2` ends the request-head deadline
/// (`LimitedChildChannel`), HTTP/2's idle timeout takes over. Above TLS, `PacedWriteHandler`
/// bounds what a client that stops reading holds encrypted in the edge.
struct ALPNServerChannel: ServerChildChannel {
    enum Negotiated: Sendable {
        case http1(GatewayHTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    /// ALPN identifiers offered, in preference order.
    static let applicationProtocols = ["h2", "http/1.1"]

    let sslContext: NIOSSLContext
    let http1: GatewayHTTP1Channel
    let http2: HTTP2Channel
    let handshakeTimeout: Duration
    let metrics: ListenerMetrics

    /// A TLS server context for `chain`/`key` offering `applicationProtocols`.
    static func makeContext(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.applicationProtocols = applicationProtocols
        tls.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: tls)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
            // TLS encrypts whatever it is flushed at once: hand it answers a piece at a time while
            // the client reads, so a slow reader holds no encrypted copy of a whole segment.
            try channel.pipeline.syncOperations.addHandler(PacedWriteHandler())
            try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(
                timeout: TimeAmount(handshakeTimeout), expired: metrics.timedOut("tls-handshake")
            ) { event in
                if case TLSUserEvent.handshakeCompleted = event { return true }
                return false
            })
            let http1 = self.http1
            let http2 = self.http2
            let alpn = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { result, channel in
                switch result {
                case .negotiated("h2"):
                    RequestHeadArrived.fire(on: channel)
                    return http2.setup(channel: channel, logger: logger).map { .http2($0) }
                case .negotiated("http/1.1"), .fallback:
                    return http1.setup(channel: channel, logger: logger).map { .http1($0) }
                case .negotiated(let other):
                    logger.debug("unexpected ALPN protocol", metadata: ["alpn": "\(other)"])
                    return channel.close().flatMapThrowing { throw ChannelError.inappropriateOperationForState }
                }
            }
            try channel.pipeline.syncOperations.addHandler(alpn)
            return Value(negotiated: alpn.protocolNegotiationResult, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            // TLS handshake failures and clients that went away before negotiating.
            logger.debug("TLS connection ended before HTTP", metadata: ["error": "\(error)"])
        }
    }
}

import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// An HTTP/1.1 connection that may upgrade to the gateway's WebSocket (`GET /ws`, token in
/// `Authorization: Bearer` or `?token=`). An upgraded connection is run by
/// `GatewayConnectionHandler` on its event loop, and `handle` returns at once: no task is
/// kept per WebSocket (Hummingbird's WebSocket channel keeps several per connection, about
/// 12 KiB of task memory on an idle client). Any other request goes to the router as on
/// Hummingbird's `HTTP1Channel`; an upgrade to another path gets 400, and an upgrade asked
/// on a connection that already carried a request gets a redirect to the same URI with the
/// connection closed (NIO upgrades only a connection's first request).
struct GatewayHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        case webSocket
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    /// The WebSocket's path.
    static let path = "/ws"

    let responder: HTTPChannelHandler.Responder
    let gateway: Gateway
    let configuration: HTTP1Channel.Configuration

    init(responder: @escaping HTTPChannelHandler.Responder, gateway: Gateway, configuration: HTTP1Channel.Configuration) {
        self.responder = Self.redirectingUpgrades(responder)
        self.gateway = gateway
        self.configuration = configuration
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let attempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let gateway = self.gateway
            let configuration = self.configuration
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: gateway.limits.maxFrameBytes,
                enableAutomaticErrorHandling: false,  // GatewayConnectionHandler closes with 1009
                shouldUpgrade: { channel, head in
                    attempted.value = true
                    guard head.method == .GET, URI(head.uri).path == Self.path else {
                        return channel.eventLoop.makeSucceededFuture(nil)
                    }
                    RequestHeadArrived.fire(on: channel)
                    return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        let token = BearerToken.extract(authorization: head.headers.first(name: "authorization"), uri: URI(head.uri),
                                                        sources: [.authorizationHeader, .queryParameter])
                        try channel.pipeline.syncOperations.addHandler(GatewayConnectionHandler(gateway: gateway, token: token))
                        return .webSocket
                    }
                })
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandlers(configuration.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(
                            idleTimeout: configuration.idleTimeout.map { .nanoseconds($0.nanoseconds) }, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return attempted.value ? .refusedUpgrade(http) : .http(http)
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: upgrade)
            pipeline.enablePipelining = false  // NIOAsyncChannel pipelines HTTP
            pipeline.enableErrorHandling = false  // Hummingbird answers errors
            pipeline.enableResponseHeaderValidation = false  // swift-http-types validates
            pipeline.decoderConfiguration.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            pipeline.decoderConfiguration.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            pipeline.decoderConfiguration.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .webSocket:
                return  // GatewayConnectionHandler runs it
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refusedUpgrade(let http):
                try await http.executeThenClose { _, outbound in
                    try await outbound.write(contentsOf: [
                        .head(HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])),
                        .end(nil),
                    ])
                }
            }
        } catch {
            logger.debug("HTTP/1.1 connection ended before a request", metadata: ["error": "\(error)"])
        }
    }

    /// `responder`, except that a WebSocket upgrade asked after the connection's first request
    /// is redirected to the same URI with `Connection: close`, so the client asks again on a
    /// fresh connection, where the upgrade runs.
    private static func redirectingUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { (request: Request, writer: consuming ResponseWriter, channel: any Channel) in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect,
                                                        headerFields: [.connection: "close", .location: location]))
            throw LateUpgrade()
        }
    }

    /// Ends a connection after the redirect of a late upgrade.
    private struct LateUpgrade: Error {}
}

import Hummingbird
import NIOCore

/// The request context of the edge's public HTTP routes: the basic one plus the client's
/// address (for per-IP limits). Hummingbird's `BasicRequestContext` does not keep it.
struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text ("unknown" when the channel has none).
    var clientIP: String { remoteAddress?.ipAddress ?? "unknown" }
}

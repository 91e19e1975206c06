import StreamLyEdgeDirectory
import Synchronization

/// The public web origins (`scheme://host[:port]`) of every edge the directory has listed while
/// this process ran, at most `capacity` (the oldest forgotten first). Not only the live ones: a
/// page served by an edge that has since drained or died is exactly the page that moves here
/// (`RESTCrossOrigin`).
final class KnownEdgeOrigins: Sendable {
    static let capacity = 1_024
    private struct State {
        var origins: Set<String> = []
        var order: [String] = []
    }
    private let state = Mutex(State())

    init(_ edges: [EdgeInfo] = []) {
        learn(edges)
    }

    /// Adds the origins of `edges` (the directory's view, on each change of it).
    func learn(_ edges: [EdgeInfo]) {
        let origins = edges.flatMap { edge in edge.webOrigins.map { "\($0.scheme)://\($0.authority)" } }
        state.withLock { state in
            for origin in origins where state.origins.insert(origin).inserted {
                state.order.append(origin)
                if state.order.count > Self.capacity { state.origins.remove(state.order.removeFirst()) }
            }
        }
    }

    /// Whether `origin` (a request's `Origin`, exactly as a browser writes it) is an edge's.
    func contains(_ origin: String) -> Bool {
        state.withLock { $0.origins.contains(origin) }
    }
}

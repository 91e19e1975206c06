import Synchronization

/// Counts open connections in total and per client (`ClientAddress`) and says whether one
/// more may open (`ConnectionLimits`). One limiter is shared by every listener of a process
/// whose connections use the same descriptor budget; thread-safe.
public final class ConnectionLimiter: Sendable {
    public enum Verdict: Sendable, Equatable {
        case admitted
        /// `maxConnections` connections are open.
        case refusedTotal
        /// `maxConnectionsPerAddress` connections from this client are open.
        case refusedPerAddress

        /// The `reason` label of `streamly_connections_refused_total`.
        public var reason: String {
            switch self {
            case .admitted: "admitted"
            case .refusedTotal: "total"
            case .refusedPerAddress: "per-address"
            }
        }
    }

    private struct State {
        var total = 0
        var perAddress: [ClientAddress: Int] = [:]
    }

    public let limits: ConnectionLimits
    private let state = Mutex(State())

    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Counts one more connection from `client` if the limits allow it.
    public func admit(_ client: ClientAddress) -> Verdict {
        state.withLock { state in
            guard state.total < limits.maxConnections else { return .refusedTotal }
            let fromClient = state.perAddress[client, default: 0]
            guard fromClient < limits.maxConnectionsPerAddress else { return .refusedPerAddress }
            state.total += 1
            state.perAddress[client] = fromClient + 1
            return .admitted
        }
    }

    /// An admitted connection from `client` closed.
    public func release(_ client: ClientAddress) {
        state.withLock { state in
            state.total -= 1
            let left = state.perAddress[client, default: 1] - 1
            state.perAddress[client] = left > 0 ? left : nil
        }
    }

    /// Connections open now, in total and from `client`.
    public var openConnections: Int { state.withLock { $0.total } }
    public func openConnections(from client: ClientAddress) -> Int { state.withLock { $0.perAddress[client, default: 0] } }
}

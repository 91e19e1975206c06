/// Who does what in a chat run, decided before any socket opens: each connection's edge,
/// channel and user, and which connections publish at what rate. Pure, so the spread
/// and the rate limits can be checked without a server.
struct ChatPlan: Sendable, Equatable {
    struct Connection: Sendable, Equatable {
        var index: Int
        var edge: Int
        var channel: Int
        var user: Int
        /// Messages per second this connection publishes (0: subscriber only).
        var publishRate: Double
        /// Fraction of a publish period this publisher lags the others, so publishers
        /// do not fire together.
        var phase: Double
    }

    /// The edge's per-connection and per-user limits the plan must stay under
    /// (`ws.ops.per.second`, `ws.publishes.per.second`), and the share of them it may use.
    struct Limits: Sendable, Equatable {
        var opsPerSecond: Double = 50
        var publishesPerSecondPerUser: Double = 30
        var headroom: Double = 0.8
        /// A lower cap chosen by the user (more publishers, each slower: closer to real chat).
        var publisherRate: Double = .infinity

        var perConnection: Double { min(opsPerSecond * headroom, publisherRate) }
        var perUser: Double { publishesPerSecondPerUser * headroom }
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var connections: [Connection]
    var users: Int
    var channels: Int
    var edges: Int
    var publishers: Int
    var ratePerPublisher: Double

    /// Subscribers of each channel.
    var subscribersPerChannel: [Int] {
        var counts = [Int](repeating: 0, count: channels)
        for connection in connections { counts[connection.channel] += 1 }
        return counts
    }

    /// - Parameters:
    ///   - connectionsPerUser: connections sharing one account (signups are expensive).
    /// Connection *i* subscribes to channel *i mod M* and uses edge *(i div M) mod E*, so
    /// every channel has subscribers on every edge once *N ≥ M·E*. Each channel gets the
    /// same number of publishers, each a different user where possible, so that neither
    /// the per-connection nor the per-user limit is exceeded.
    static func make(connections count: Int, channels: Int, edges: Int, rate: Double,
                     connectionsPerUser: Int, limits: Limits) throws -> ChatPlan {
        guard count >= channels, channels >= 1, edges >= 1, connectionsPerUser >= 1, rate > 0 else {
            throw Invalid(description: "need connections ≥ channels ≥ 1, at least one edge, a positive rate")
        }
        let cap = min(limits.perConnection, limits.perUser)
        let perChannel = rate / Double(channels)
        let publishersPerChannel = max(1, Int((perChannel / cap).rounded(.up)))
        let subscribersPerChannel = count / channels
        guard publishersPerChannel <= subscribersPerChannel else {
            throw Invalid(description: """
                \(rate) msg/s over \(channels) channels needs \(publishersPerChannel) publishers per channel at \
                ≤ \(cap) msg/s each (80% of the edge's limits), but a channel has only \(subscribersPerChannel) \
                connections: add connections or raise the edge's STREAMLY_WS_OPS_PER_SECOND / \
                STREAMLY_WS_PUBLISHES_PER_SECOND and pass the same values here
                """)
        }
        let publishers = publishersPerChannel * channels
        let perPublisher = rate / Double(publishers)
        let users = max((count + connectionsPerUser - 1) / connectionsPerUser, min(count, publishers))
        var plan = ChatPlan(connections: [], users: users, channels: channels, edges: edges,
                            publishers: publishers, ratePerPublisher: perPublisher)
        plan.connections = (0..<count).map { index in
            Connection(index: index, edge: (index / channels) % edges, channel: index % channels,
                       user: index * users / count, publishRate: 0, phase: 0)
        }
        // Pick publishers channel by channel, preferring users that do not publish yet.
        var userRate = [Double](repeating: 0, count: users)
        var chosen = 0
        for channel in 0..<channels {
            let members = stride(from: channel, to: count, by: channels)
            var picked: [Int] = []
            for index in members where picked.count < publishersPerChannel && userRate[plan.connections[index].user] == 0 {
                picked.append(index)
            }
            for index in members where picked.count < publishersPerChannel && !picked.contains(index)
                && userRate[plan.connections[index].user] + perPublisher <= limits.perUser {
                picked.append(index)
            }
            guard picked.count == publishersPerChannel else {
                throw Invalid(description: "not enough users to publish \(rate) msg/s within the per-user limit: use fewer --connections-per-user")
            }
            for index in picked {
                plan.connections[index].publishRate = perPublisher
                plan.connections[index].phase = Double(chosen) / Double(publishers)
                userRate[plan.connections[index].user] += perPublisher
                chosen += 1
            }
        }
        return plan
    }
}

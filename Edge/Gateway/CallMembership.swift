/// The call a WebSocket connection is in: the channel and its participant id there.
struct CallMembership: Sendable, Equatable {
    var channel: String
    var participant: String
}

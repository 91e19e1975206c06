/// Offer/answer on a participant's `sub` connection, where the edge offers (JSEP: one offer
/// outstanding at a time). Tracks that change while an offer waits for its answer are
/// collected into one re-offer sent when the answer arrives. No I/O.
public struct SubscribeNegotiationStateMachine: Sendable {
    public enum State: Hashable, Sendable {
        /// No offer outstanding.
        case stable
        /// Waiting for the answer to offer `version`; `changedSince` when tracks changed meanwhile.
        case awaitingAnswer(version: UInt64, changedSince: Bool)
    }

    public enum Action: Hashable, Sendable {
        case none
        /// Build and send offer `version` from the current slots.
        case sendOffer(version: UInt64)
    }

    public enum AnswerVerdict: Hashable, Sendable {
        /// Apply the answer; then perform `then`.
        case apply(then: Action)
        /// No offer is outstanding: an error for the client.
        case unexpected
    }

    public private(set) var state: State = .stable
    private var nextVersion: UInt64 = 1

    public init() {}

    /// The tracks the subscriber should receive changed.
    public mutating func tracksChanged() -> Action {
        switch state {
        case .stable:
            return offer()
        case .awaitingAnswer(let version, _):
            state = .awaitingAnswer(version: version, changedSince: true)
            return .none
        }
    }

    /// The client answered.
    public mutating func answerReceived() -> AnswerVerdict {
        guard case .awaitingAnswer(_, let changed) = state else { return .unexpected }
        state = .stable
        return .apply(then: changed ? offer() : .none)
    }

    private mutating func offer() -> Action {
        let version = nextVersion
        nextVersion += 1
        state = .awaitingAnswer(version: version, changedSince: false)
        return .sendOffer(version: version)
    }
}

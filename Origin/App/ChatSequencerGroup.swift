/// Which Kafka consumer group an origin's chat sequencer joins (`chat.sequencer.group`,
/// docs/kafka.md). Either way the sequencer joins with static membership
/// (`group.instance.id` = the node id), so an origin restarted after a crash takes its old
/// place back at once instead of waiting for the group to notice the crash.
public enum ChatSequencerGroup: String, Sendable, Equatable {
    /// One group for all origins (`<ns>-chat-sequencer`): the broker spreads the publish
    /// partitions over them and moves a crashed origin's partitions to the others after
    /// `kafka.session.timeout.ms`. For Apache Kafka and Redpanda.
    case shared
    /// A group of each origin's own (`<ns>-chat-sequencer-<node>`): every origin sequences
    /// every publish (PostgreSQL keeps each `client_id` once, so the second append of a
    /// message is a duplicate that changes nothing). Costs one extra append per origin and
    /// message, but needs no failover from the broker: for brokers whose group coordinator
    /// never evicts a member that died without leaving (noida-db, measured), where a crashed
    /// origin's partitions would otherwise stay unowned.
    case perOrigin = "per-origin"
}

internal import CRdKafka

extension OriginNativeError {
    /// Whether this failed record says the broker no longer accepts the producer's identity
    /// or sequence: fenced (`PRODUCER_FENCED`, `INVALID_PRODUCER_EPOCH`, librdkafka's
    /// `_FENCED`), a forgotten producer id (`UNKNOWN_PRODUCER_ID`) or a sequence the broker
    /// did not expect (`OUT_OF_ORDER_SEQUENCE_NUMBER`), or a producer librdkafka declared fatally
    /// broken (`_FATAL`). librdkafka heals some of these by bumping the epoch itself, but a
    /// broker that lost its producer state may fence every bumped epoch again; a new producer
    /// (a new producer id) is what heals them all.
    public var isProducerStateLost: Bool {
        guard code == .kafkaDelivery || code == .kafkaProduce, let status else { return false }
        return Self.producerStateErrors.contains(status)
    }

    private static let producerStateErrors: Set<Int32> = [
        RD_KAFKA_RESP_ERR_PRODUCER_FENCED, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, RD_KAFKA_RESP_ERR__FENCED,
        RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, RD_KAFKA_RESP_ERR__FATAL,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}

internal import CRdKafka

/// A librdkafka configuration (`rd_kafka_conf_t`): string properties validated by
/// librdkafka as they are set (see librdkafka's CONFIGURATION.md).
///
/// Not thread-safe: build it on one task, then hand a `copy()` to each client.
public final class KafkaConfiguration {
    /// The rd_kafka_conf_t*.
    let configuration: OpaquePointer

    /// Creates a configuration with librdkafka's defaults.
    public init() {
        guard let configuration = rd_kafka_conf_new() else {
            fatalError("rd_kafka_conf_new: out of memory")
        }
        self.configuration = configuration
    }

    private init(taking configuration: OpaquePointer) {
        self.configuration = configuration
    }

    deinit {
        rd_kafka_conf_destroy(configuration)
    }

    /// Sets a property, e.g. `set("localhost:9092", forKey: "bootstrap.servers")`.
    /// Throws `.kafkaUnknownProperty` or `.kafkaInvalidValue` with librdkafka's message.
    public func set(_ value: String, forKey key: String) throws {
        var message = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(configuration, key, value, &message, message.count)
        let code: OriginNativeError.Code
        switch result {
        case RD_KAFKA_CONF_OK: return
        case RD_KAFKA_CONF_UNKNOWN: code = .kafkaUnknownProperty
        default: code = .kafkaInvalidValue
        }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw OriginNativeError(code: code, message: text, status: result.rawValue)
    }

    /// The current value of a property (including defaults), or nil for unknown properties.
    public func value(forKey key: String) -> String? {
        var size = 0
        guard rd_kafka_conf_get(configuration, key, nil, &size) == RD_KAFKA_CONF_OK else { return nil }
        var buffer = [CChar](repeating: 0, count: max(size, 1))
        guard rd_kafka_conf_get(configuration, key, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An independent copy (`rd_kafka_conf_dup`), e.g. to give to `rd_kafka_new`, which takes
    /// ownership of the configuration it is passed.
    public func copy() -> KafkaConfiguration {
        guard let duplicate = rd_kafka_conf_dup(configuration) else {
            fatalError("rd_kafka_conf_dup: out of memory")
        }
        return KafkaConfiguration(taking: duplicate)
    }
}

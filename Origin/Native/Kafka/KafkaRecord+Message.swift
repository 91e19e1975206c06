internal import CRdKafka

extension KafkaRecord {
    /// Copies a consumed message (`rd_kafka_message_t` with `err == 0`) into Swift values; the
    /// caller still owns and destroys the message.
    init(message: UnsafePointer<rd_kafka_message_t>) {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = message.pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len)) }
        let value = message.pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.pointee.len)) }

        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        let timestamp: Timestamp?
        switch timestampType {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: timestamp = Timestamp(millisecondsSinceEpoch: milliseconds, kind: .createTime)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: timestamp = Timestamp(millisecondsSinceEpoch: milliseconds, kind: .logAppendTime)
        default: timestamp = nil
        }

        self.init(
            topic: topic, partition: message.pointee.partition, offset: message.pointee.offset,
            key: key, value: value ?? [], headers: Self.headers(of: message), timestamp: timestamp
        )
    }

    /// The message's headers, in order. The header list stays owned by the message.
    private static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        var index = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(
                name: name.map { String(cString: $0) } ?? "",
                value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            ))
            index += 1
        }
        return headers
    }
}

import StreamLyOriginNative
import Testing

@Suite struct KafkaConfigurationTests {
    @Test func versionStringMatchesNumericVersion() throws {
        let parts = Kafka.versionString.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count >= 3, "unexpected version string \(Kafka.versionString)")
        #expect(parts[0] == Kafka.version >> 24)
        #expect(parts[1] == (Kafka.version >> 16) & 0xFF)
        #expect(parts[2] == (Kafka.version >> 8) & 0xFF)
        #expect(parts[0] >= 2)
    }

    @Test func setAndReadBack() throws {
        let configuration = KafkaConfiguration()
        try configuration.set("localhost:9092", forKey: "bootstrap.servers")
        try configuration.set("all", forKey: "acks")
        #expect(configuration.value(forKey: "bootstrap.servers") == "localhost:9092")
        #expect(configuration.value(forKey: "acks") == "-1")  // librdkafka normalises "all"
        #expect(configuration.value(forKey: "no.such.property") == nil)
    }

    @Test func unknownPropertyIsRejectedWithLibrdkafkaMessage() {
        let configuration = KafkaConfiguration()
        let error = #expect(throws: OriginNativeError.self) { try configuration.set("1", forKey: "no.such.property") }
        #expect(error?.code == .kafkaUnknownProperty)
        #expect(error?.message == "No such configuration property: \"no.such.property\"")
    }

    @Test func invalidValueIsRejected() {
        let configuration = KafkaConfiguration()
        let error = #expect(throws: OriginNativeError.self) { try configuration.set("banana", forKey: "acks") }
        #expect(error?.code == .kafkaInvalidValue)
        // "acks" is an alias; librdkafka names the canonical property.
        #expect(error?.message == "Invalid value for configuration property \"request.required.acks\"")
        #expect(configuration.value(forKey: "acks") == "-1")  // default unchanged

        let codec = #expect(throws: OriginNativeError.self) { try configuration.set("banana", forKey: "compression.codec") }
        #expect(codec?.message == "Invalid value \"banana\" for configuration property \"compression.codec\"")
    }

    @Test func copyIsIndependent() throws {
        let original = KafkaConfiguration()
        try original.set("a:1", forKey: "bootstrap.servers")
        let copy = original.copy()
        try copy.set("b:2", forKey: "bootstrap.servers")
        #expect(original.value(forKey: "bootstrap.servers") == "a:1")
        #expect(copy.value(forKey: "bootstrap.servers") == "b:2")
    }
}

internal import CRdKafka

/// Facts about the linked librdkafka.
public enum Kafka {
    /// librdkafka's version string, e.g. "2.0.2".
    public static var versionString: String {
        String(cString: rd_kafka_version_str())
    }

    /// librdkafka's version as 0xMMmmrrxx (major, minor, revision, pre-release).
    public static var version: Int {
        Int(rd_kafka_version())
    }
}

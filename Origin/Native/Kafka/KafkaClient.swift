internal import CRdKafka
import Dispatch

/// Owns one `rd_kafka_t` (a producer or a consumer) and destroys it in deinit, after which it
/// releases the callback object it registered as the configuration opaque.
///
/// `@unchecked Sendable`: librdkafka handles are thread-safe (any `rd_kafka_*` call on an
/// `rd_kafka_t` may come from any thread) and the stored properties never change.
final class KafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer
    }

    /// The rd_kafka_t*.
    let handle: OpaquePointer
    /// Serial queue for the blocking calls made on behalf of async callers (commit, flush),
    /// which must not block the cooperative pool. Serial, so commits apply in call order.
    let blockingQueue: DispatchQueue
    /// Retained for the lifetime of `handle`: librdkafka passes it to the callbacks.
    private let callbackOpaque: Unmanaged<AnyObject>?

    /// Creates the client from a copy of `configuration` (callbacks already set on it), with
    /// `callbackObject` as the opaque librdkafka hands to those callbacks.
    init(kind: Kind, configuration: KafkaConfiguration, callbackObject: AnyObject? = nil) throws {
        guard let conf = rd_kafka_conf_dup(configuration.configuration) else {
            Swift.fatalError("rd_kafka_conf_dup: out of memory")
        }
        let opaque = callbackObject.map { Unmanaged<AnyObject>.passRetained($0) }
        rd_kafka_conf_set_opaque(conf, opaque?.toOpaque())

        var message = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let handle = rd_kafka_new(type, conf, &message, message.count) else {
            // On failure rd_kafka_new leaves the configuration with the caller.
            rd_kafka_conf_destroy(conf)
            opaque?.release()
            throw OriginNativeError(code: .kafkaClientCreation, message: Self.string(message))
        }
        self.handle = handle
        self.callbackOpaque = opaque
        self.blockingQueue = DispatchQueue(label: "streamly.kafka.\(String(cString: rd_kafka_name(handle)))")
    }

    deinit {
        // rd_kafka_destroy blocks while it joins librdkafka's threads, and the last reference
        // may go away on the cooperative pool, so it runs on a dispatch thread instead.
        // nonisolated(unsafe): the handle moves to that thread and nothing else uses it any more.
        nonisolated(unsafe) let handle = handle
        nonisolated(unsafe) let callbackOpaque = callbackOpaque
        DispatchQueue.global().async {
            rd_kafka_destroy(handle)
            callbackOpaque?.release()
        }
    }

    /// The client's name as librdkafka reports it, e.g. "chat-origin#producer-1".
    var name: String { String(cString: rd_kafka_name(handle)) }

    /// The fatal error the client has raised, if any (e.g. an idempotence violation), as an
    /// error with the given code. After a fatal error the client is unusable.
    func fatalError(as code: OriginNativeError.Code) -> OriginNativeError? {
        var message = [CChar](repeating: 0, count: 512)
        let status = rd_kafka_fatal_error(handle, &message, message.count)
        guard status != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return OriginNativeError(code: code, message: "fatal: \(Self.string(message))", status: status.rawValue)
    }

    /// Runs a blocking librdkafka call on `blockingQueue` and resumes the caller with its result.
    func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }

    /// Sets caller-supplied properties (in key order, after the client's defaults). Errors name
    /// the key and value as the caller wrote them (librdkafka names the canonical property,
    /// e.g. "queue.buffering.max.ms" for "linger.ms").
    static func apply(_ properties: [String: String], to configuration: KafkaConfiguration) throws {
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            do {
                try configuration.set(value, forKey: key)
            } catch var error as OriginNativeError {
                error.message = "property \"\(key)\" = \"\(value)\": \(error.message)"
                throw error
            }
        }
    }

    /// The text librdkafka wrote into a NUL-terminated error buffer.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// librdkafka's text for an error code.
    static func describe(_ code: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(code))
    }

    /// Checks a `bootstrap.servers` value: comma-separated `host[:port]` entries, optionally with
    /// a `protocol://` prefix, IPv6 hosts in brackets. librdkafka itself accepts anything and only
    /// logs connection failures later, so a typo would otherwise hang the first send.
    static func validateBrokers(_ brokers: String) throws {
        func invalid(_ detail: String) -> OriginNativeError {
            OriginNativeError(code: .kafkaInvalidBrokers, message: "invalid broker list \"\(brokers)\": \(detail)")
        }
        let entries = brokers.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }
        guard !brokers.allSatisfy(\.isWhitespace) else { throw invalid("empty") }
        for entry in entries {
            guard !entry.isEmpty else { throw invalid("empty entry") }
            guard !entry.contains(where: \.isWhitespace) else { throw invalid("whitespace in \"\(entry)\"") }
            var address = Substring(entry)
            if let scheme = address.firstRange(of: "://") {
                address = address[scheme.upperBound...]
            }
            let host: Substring
            let port: Substring?
            if address.hasPrefix("[") {
                guard let close = address.firstIndex(of: "]") else { throw invalid("unclosed \"[\" in \"\(entry)\"") }
                host = address[address.index(after: address.startIndex)..<close]
                let rest = address[address.index(after: close)...]
                guard rest.isEmpty || rest.hasPrefix(":") else { throw invalid("unexpected text after \"]\" in \"\(entry)\"") }
                port = rest.isEmpty ? nil : rest.dropFirst()
            } else {
                let parts = address.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count <= 2 else { throw invalid("too many \":\" in \"\(entry)\" (bracket IPv6 addresses)") }
                host = parts[0]
                port = parts.count == 2 ? parts[1] : nil
            }
            guard !host.isEmpty else { throw invalid("missing host in \"\(entry)\"") }
            if let port {
                guard let number = Int(port), (1...65535).contains(number) else {
                    throw invalid("bad port \"\(port)\" in \"\(entry)\"")
                }
            }
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

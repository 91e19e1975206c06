import Foundation
import Hummingbird
import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The result of a readiness check: each dependency and whether it is up.
public struct ReadinessReport: Sendable, Codable {
    public struct Check: Sendable, Codable {
        public var name: String
        public var ok: Bool
        public var detail: String?
        public init(name: String, ok: Bool, detail: String? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var checks: [Check]
    public var ready: Bool { !checks.isEmpty && checks.allSatisfy(\.ok) }
    public init(checks: [Check]) { self.checks = checks }
}

/// `/healthz` (the process serves), `/readyz` (dependencies and links are up; 503
/// otherwise) and `/metrics` (Prometheus text format), shared by edge and origin.
public enum OperatorEndpoints {
    private static let bootstrapped = NIOLockedValueBox<PrometheusCollectorRegistry?>(nil)

    /// Timers whose values are sub-millisecond (the SFU's added forwarding latency): the default
    /// buckets start at 5 ms, which would put every sample in the first bucket.
    static let fineDurationLabels = ["streamly_rtc_forwarding_latency_seconds"]
    static let fineDurationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(100),
    ]

    /// Installs the Prometheus metrics backend once per process and returns its registry.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        bootstrapped.withLockedValue { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: created)
            for label in fineDurationLabels { factory.durationHistogramBuckets[label] = fineDurationBuckets }
            MetricsSystem.bootstrap(factory)
            registry = created
            return created
        }
    }

    /// `/healthz` alone: what a public listener answers (load balancers probe it), while
    /// `/readyz` and `/metrics` stay on the operator listener.
    public static func registerHealth<Context: RequestContext>(on router: Router<Context>) {
        router.get("/healthz") { _, _ in
            json(.ok, ["status": "ok"])
        }
    }

    public static func register<Context: RequestContext>(
        on router: Router<Context>, registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> ReadinessReport
    ) {
        registerHealth(on: router)
        router.get("/readyz") { _, _ in
            let report = await readiness()
            return json(report.ready ? .ok : .serviceUnavailable, ReadinessBody(status: report.ready ? "ready" : "not ready", checks: report.checks))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }

    struct ReadinessBody: Encodable {
        var status: String
        var checks: [ReadinessReport.Check]
    }

    /// A JSON response.
    public static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "StreamLy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "streamly-edge", targets: ["StreamLyEdgeMain"]),
        .executable(name: "streamly-origin", targets: ["StreamLyOriginMain"]),
        .executable(name: "streamly-load", targets: ["StreamLyLoad"]),
        .library(name: "StreamLyProtocol", targets: ["StreamLyProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // MARK: Inter-tier protocol (NIOCore only)
        .target(
            name: "StreamLyProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            path: "Protocol/Wire",
            swiftSettings: swiftSettings
        ),
        // MARK: Application contract shared by both tiers: link methods and JSON shapes
        .target(
            name: "StreamLyAPI",
            path: "Protocol/API",
            swiftSettings: swiftSettings
        ),
        // MARK: Retry and backoff policy shared by every retry loop (no dependencies)
        .target(
            name: "StreamLyRetry",
            path: "Protocol/Retry",
            swiftSettings: swiftSettings
        ),
        // MARK: Access tokens (JWT HS256): signed by origins, verified by edges
        .target(
            name: "StreamLyTokens",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Protocol/Tokens",
            swiftSettings: swiftSettings
        ),
        // MARK: Limits on accepted connections shared by every listener (caps per client and in total, deadlines)
        .target(
            name: "StreamLyListeners",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Protocol/Listeners",
            swiftSettings: swiftSettings
        ),
        // MARK: Link runtime shared by both tiers: connections, auth, reconnect (NIO, NIOSSL and the wire protocol)
        .target(
            name: "StreamLyLink",
            dependencies: [
                "StreamLyListeners",
                "StreamLyRetry",
                "StreamLyProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Protocol/Link",
            swiftSettings: swiftSettings
        ),
        // MARK: Configuration loader shared by both tiers (file + environment, one error type)
        .target(
            name: "StreamLyConfig",
            dependencies: [
                "StreamLyLink", "StreamLyProtocol", "StreamLyListeners",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Protocol/Config",
            swiftSettings: swiftSettings
        ),
        // MARK: Operator endpoints shared by both tiers: health, readiness, Prometheus metrics
        .target(
            name: "StreamLyOperator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Protocol/Operator",
            swiftSettings: swiftSettings
        ),
        // MARK: Edge C libraries (thin system-library targets)
        .systemLibrary(name: "COpenSSL", path: "Edge/CSystem/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSRTP", path: "Edge/CSystem/CSRTP", pkgConfig: "libsrtp2",
                       providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpus", path: "Edge/CSystem/COpus", pkgConfig: "opus",
                       providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Edge/CSystem/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        // MARK: The edge directory as edge code reads it (live edges, regions, hosted calls): no dependencies,
        // so the SFU's cascade can use it too
        .target(name: "StreamLyEdgeDirectory", path: "Edge/Directory", swiftSettings: swiftSettings),
        // MARK: Owners of the SFU's C objects (OpenSSL DTLS and certificates, libsrtp2, libopus)
        .target(name: "StreamLySFUNative", dependencies: ["COpenSSL", "CSRTP", "COpus"],
                path: "Edge/SFU/Native", swiftSettings: swiftSettings),
        // MARK: SFU: wire formats and ICE-lite checks (pure value types: STUN, ICE, RTP, RTCP, SDP) and the
        // media transport (Transport: the shared UDP socket, ICE-lite, DTLS-SRTP over StreamLySFUNative)
        .target(
            name: "StreamLySFU",
            dependencies: [
                "StreamLySFUNative",
                "StreamLyListeners",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Edge/SFU",
            exclude: ["Native", "README.md"],
            swiftSettings: swiftSettings
        ),
        // MARK: Edge Redis client (hiredis RESP over SwiftNIO)
        .target(
            name: "StreamLyRedis",
            dependencies: [
                "StreamLyRetry",
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Edge/Redis",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // MARK: Origin C libraries and their Swift wrappers
        .systemLibrary(name: "CRdKafka", path: "Origin/CSystem/CRdKafka", pkgConfig: "rdkafka",
                       providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Origin/CSystem/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev",
                                         "libswscale-dev", "libswresample-dev", "libx264-dev"])]),
        .target(name: "StreamLyOriginNative", dependencies: ["CRdKafka", "CFFmpeg"],
                path: "Origin/Native", swiftSettings: swiftSettings),
        // MARK: Origin VOD ladder: the domain logic of a transcode over the FFmpeg owners
        .target(name: "StreamLyTranscode", dependencies: ["StreamLyOriginNative"],
                path: "Origin/Transcode", swiftSettings: swiftSettings),
        // MARK: Edge tier
        .target(
            name: "StreamLyEdge",
            dependencies: [
                "StreamLyConfig",
                "StreamLyEdgeDirectory",
                "StreamLyListeners",
                "StreamLyOperator",
                "StreamLyRetry",
                "StreamLyLink",
                "StreamLyProtocol",
                "StreamLySFUNative",
                "StreamLySFU",
                "StreamLyAPI",
                "StreamLyRedis",
                "StreamLyTokens",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Edge",
            exclude: ["CSystem", "Directory", "Main", "Redis", "SFU", "Web", "README.md"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "StreamLyEdgeMain",
            dependencies: [
                "StreamLyConfig",
                "StreamLyEdge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Edge/Main",
            swiftSettings: swiftSettings
        ),
        // MARK: Origin data layer: PostgreSQL, migrations, accounts and tokens
        .target(
            name: "StreamLyStore",
            dependencies: [
                "StreamLyAPI",
                "StreamLyRetry",
                "StreamLyTokens",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Origin/Store",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // MARK: Origin object storage: S3 client (SigV4) and local-directory backend
        .target(
            name: "StreamLyStorage",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Origin/Storage",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // MARK: Origin tier
        .target(
            name: "StreamLyOrigin",
            dependencies: [
                "StreamLyConfig",
                "StreamLyListeners",
                "StreamLyOperator",
                "StreamLyRetry",
                "StreamLyLink",
                "StreamLyProtocol",
                "StreamLyOriginNative",
                "StreamLyTranscode",
                "StreamLyAPI",
                "StreamLyStore",
                "StreamLyStorage",
                "StreamLyProcess",
                .product(name: "Crypto", package: "swift-crypto"),
                "StreamLyTokens",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Origin",
            exclude: ["CSystem", "Main", "Native", "Storage", "Store", "Transcode", "README.md"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "StreamLyOriginMain",
            dependencies: [
                "StreamLyConfig",
                "StreamLyOrigin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Origin/Main",
            swiftSettings: swiftSettings
        ),
        // MARK: Child-process runner shared by the load tester and the integration tests
        .target(
            name: "StreamLyProcess",
            path: "loadtest/Process",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // MARK: Userspace link emulator (delay, jitter, loss, bandwidth between TUN devices in network namespaces)
        .target(
            name: "StreamLyNetem",
            path: "loadtest/Netem",
            swiftSettings: swiftSettings
        ),
        // MARK: Load tester and benchmarks
        .executableTarget(
            name: "StreamLyLoad",
            dependencies: [
                "StreamLyConfig",
                "StreamLyProcess",
                "StreamLyNetem",
                "StreamLyLink",
                "StreamLyProtocol",
                "StreamLyOriginNative",
                "StreamLySFU",
                "StreamLySFUNative",
                "StreamLyTranscode",
                "StreamLyStorage",
                "StreamLyTokens",
                // NetworkNamespace: Janus (rtc --janus) runs in a namespace of its own.
                "WebRTCTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "loadtest/StreamLyLoad",
            swiftSettings: swiftSettings
        ),
        // MARK: Tests
        .testTarget(
            name: "ProtocolTests",
            dependencies: [
                "StreamLyProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            path: "Tests/ProtocolTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RetryTests",
            dependencies: ["StreamLyRetry"],
            path: "Tests/RetryTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConfigTests",
            dependencies: ["StreamLyConfig"],
            path: "Tests/ConfigTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LinkTests",
            dependencies: [
                "StreamLyProcess",
                "StreamLyRetry",
                "StreamLyLink",
                "StreamLyProtocol",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/LinkTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SFUNativeTests",
            dependencies: ["StreamLySFUNative"],
            path: "Tests/SFUNativeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SFUTests",
            dependencies: [
                "StreamLySFU",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            path: "Tests/SFUTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        // MARK: WebRTC test harness: network namespaces (peers skip loopback), a scripted aiortc peer
        .target(
            name: "WebRTCTestSupport",
            dependencies: ["StreamLyProcess", "StreamLySFU"],
            path: "Tests/WebRTCTestSupport",
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebAppTests",
            dependencies: ["IntegrationSupport", "WebRTCTestSupport"],
            path: "Tests/WebAppTests",
            exclude: ["Browser"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CallIntegrationTests",
            dependencies: ["IntegrationSupport", "WebRTCTestSupport"],
            path: "Tests/CallIntegrationTests",
            exclude: ["Peers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SFUTransportTests",
            dependencies: [
                "StreamLySFU",
                "StreamLySFUNative",
                "WebRTCTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/SFUTransportTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OriginNativeTests",
            dependencies: ["StreamLyOriginNative", "IntegrationSupport"],
            path: "Tests/OriginNativeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TranscodeTests",
            dependencies: ["StreamLyProcess", "StreamLyTranscode", "StreamLyOriginNative"],
            path: "Tests/TranscodeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["IntegrationSupport"],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EdgeTests",
            dependencies: [
                "StreamLyEdge",
                "StreamLyEdgeDirectory",
                "StreamLyListeners",
                "StreamLyConfig",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                "StreamLyAPI",
                "StreamLyTokens",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/EdgeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokensTests",
            dependencies: ["StreamLyTokens"],
            path: "Tests/TokensTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisTests",
            dependencies: [
                "IntegrationSupport",
                "StreamLyProcess",
                "StreamLyRetry",
                "StreamLyRedis",
                "StreamLyEdge",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            path: "Tests/RedisTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "StreamLyStore",
                "StreamLyRetry",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/StoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "StreamLyProcess",
                "StreamLyStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/StorageTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OriginTests",
            dependencies: [
                "StreamLyOrigin", "StreamLyOriginNative", "StreamLyAPI", "StreamLyRetry", "StreamLyStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/OriginTests",
            swiftSettings: swiftSettings
        ),
        // MARK: Integration tests: real origin and edge processes, real PostgreSQL, Redis, broker, S3
        .target(
            name: "IntegrationSupport",
            dependencies: [
                "StreamLyProcess",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            path: "Tests/IntegrationSupport",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChatIntegrationTests",
            dependencies: [
                "IntegrationSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/ChatIntegrationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AttackTests",
            dependencies: [
                "IntegrationSupport",
                "StreamLyStorage",
                "StreamLyTokens",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/AttackTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HLSIntegrationTests",
            dependencies: [
                "IntegrationSupport",
                "StreamLyStorage",
                "StreamLyTokens",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/HLSIntegrationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NetemTests",
            dependencies: ["StreamLyNetem", "StreamLyProcess"],
            path: "Tests/NetemTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegionIntegrationTests",
            dependencies: ["IntegrationSupport", "StreamLyTokens"],
            path: "Tests/RegionIntegrationTests",
            exclude: ["Peers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VODIntegrationTests",
            dependencies: [
                "IntegrationSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/VODIntegrationTests",
            swiftSettings: swiftSettings
        ),
    ]
)

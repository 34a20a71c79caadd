// swift-tools-version:6.1
// Tidings: a durable receiver for Twilio message status callbacks.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tidings",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tidings", targets: ["tidings"]),
        .library(name: "TwilioWebhooks", targets: ["TwilioWebhooks"]),
        .library(name: "TidingsCore", targets: ["TidingsCore"]),
        .library(name: "TidingsSQLite", targets: ["TidingsSQLite"]),
        .library(name: "TidingsPostgres", targets: ["TidingsPostgres"]),
        .library(name: "TidingsServer", targets: ["TidingsServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OpenTelemetry traces over OTLP/HTTP only: the gRPC exporter's packages stay out of the build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Already in the graph through swift-configuration's YAML trait; named here so that
        // the server tests can read the OpenAPI document (Tests/TidingsServerTests/OpenAPIDocumentTests.swift).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libcrypto (OpenSSL) for HMAC, SHA-256 and constant-time comparison.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Twilio's wire format: signatures, form bodies, typed callbacks. No I/O.
        .target(
            name: "TwilioWebhooks",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),
        // The domain: state machine, records, the store and sink protocols. No I/O.
        .target(
            name: "TidingsCore",
            dependencies: [
                "TwilioWebhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded default store (SQLite in WAL mode, group commit).
        .target(
            name: "TidingsSQLite",
            dependencies: [
                "TidingsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store for several instances behind one load balancer (PostgreSQL).
        .target(
            name: "TidingsPostgres",
            dependencies: [
                "TidingsCore", "TwilioWebhooks",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Where status changes go: the JSON-lines log, a rotating file archive, webhooks.
        .target(
            name: "TidingsSinks",
            dependencies: [
                "TidingsCore", "TwilioWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service: routes, URL reconstruction, limits, configuration, lifecycle.
        .target(
            name: "TidingsServer",
            dependencies: [
                "TwilioWebhooks", "TidingsCore", "TidingsSQLite", "TidingsPostgres", "TidingsSinks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            // The console's files and the API's OpenAPI document, compiled into the binary
            // (`PackageResources`): nothing to install beside it, nothing fetched at run time.
            resources: [.embedInCode("Resources")],
            swiftSettings: swiftSettings
        ),
        // The command line: `tidings serve`, …
        .executableTarget(
            name: "tidings",
            dependencies: [
                "TidingsServer", "TidingsCore", "TwilioWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // bench/run.sh's helpers: the Hummingbird "return 204" ceiling, the durable floor
        // (HTTP and a group-committed append to a file or a SQLite table) and the store filler
        // of the lookup benchmark (not part of any product).
        .executableTarget(
            name: "hummingbird-ceiling",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "bench/ceiling",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "durable-floor",
            dependencies: [
                "TidingsCore", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "bench/floor",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tidings-bench-fill",
            dependencies: [
                "TidingsCore", "TidingsSQLite", "TidingsPostgres", "TwilioWebhooks",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/fill",
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test suites (not part of any product).
        .target(
            name: "TidingsTestSupport",
            dependencies: [
                "TwilioWebhooks", "TidingsCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TidingsTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TwilioWebhooksTests",
            dependencies: ["TwilioWebhooks"],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TidingsCoreTests",
            dependencies: ["TidingsCore", "TidingsTestSupport"],
            swiftSettings: swiftSettings
        ),
        // The StatusStore conformance suite, run against every backend.
        .testTarget(
            name: "TidingsStoreTests",
            dependencies: [
                "TidingsCore", "TidingsSQLite", "TidingsPostgres", "TidingsTestSupport", "TwilioWebhooks",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TidingsSinksTests",
            dependencies: [
                "TidingsSinks", "TidingsCore", "TidingsTestSupport", "TwilioWebhooks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // The real `tidings serve` binary: start-up, streams, crash and restart.
        .testTarget(
            name: "TidingsEndToEndTests",
            dependencies: [
                "tidings", "TidingsCore", "TidingsServer", "TidingsTestSupport", "TwilioWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TidingsServerTests",
            dependencies: [
                "TidingsServer", "TidingsPostgres", "TidingsSQLite", "TidingsTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

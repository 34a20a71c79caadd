// swift-tools-version:6.1
// Micro-benchmarks of Tidings' hot path (ordo-one/benchmark), kept out of the main package
// so that building and testing Tidings never builds the benchmark tooling:
//
//   swift package --package-path Benchmarks benchmark
//
// Results, with allocation counts, are in bench/REPORT.md.
import PackageDescription

let package = Package(
    name: "TidingsBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tidings", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TidingsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TwilioWebhooks", package: "tidings"),
                .product(name: "TidingsCore", package: "tidings"),
                .product(name: "TidingsSQLite", package: "tidings"),
            ],
            path: "Benchmarks/TidingsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

// swift-tools-version:6.1
// libFuzzer harnesses for Tidings' parsers. Build and run them with `fuzz/run.sh`, which
// passes `-sanitize=fuzzer,address`; see fuzz/README.md.
import PackageDescription

/// Each harness and the libraries of the root package it exercises.
let harnesses: [(name: String, libraries: [String])] = [
    ("FuzzFormBody", ["TwilioWebhooks"]),
    ("FuzzSignatureValidator", ["TwilioWebhooks"]),
    ("FuzzStatusCallback", ["TwilioWebhooks", "TidingsCore"]),
    ("FuzzDeliveryReceiptDate", ["TwilioWebhooks"]),
    ("FuzzStoredChange", ["TwilioWebhooks", "TidingsCore"]),
    ("FuzzSinkSpecification", ["TidingsCore"]),
    ("FuzzMessagingEvents", ["TwilioWebhooks", "TidingsCore"]),
]

let package = Package(
    name: "tidings-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tidings", path: ".."),
    ],
    targets: [
        // Shared helpers: reading structured values out of the fuzzer's bytes, failing loudly.
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzerDriver", .product(name: "TwilioWebhooks", package: "tidings")]
        ),
        // The declaration of libFuzzer's LLVMFuzzerRunDriver, for FuzzSupport.runFuzzer.
        .target(name: "CFuzzerDriver"),
    ] + harnesses.map { harness in
        .executableTarget(
            name: harness.name,
            dependencies: ["FuzzSupport"] + harness.libraries.map { .product(name: $0, package: "tidings") }
        )
    },
    swiftLanguageModes: [.v6]
)

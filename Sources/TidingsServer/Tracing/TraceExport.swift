import Foundation
import Logging
import OTel
import ServiceLifecycle

/// OpenTelemetry traces, exported over OTLP/HTTP (swift-otel), off unless the environment
/// asks for them with OpenTelemetry's own variables.
///
/// Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
/// names a collector, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. Every
/// other standard variable then applies as the OpenTelemetry specification says
/// (`OTEL_SERVICE_NAME`, default `tidings`; `OTEL_EXPORTER_OTLP_PROTOCOL`, default
/// `http/protobuf`, or `http/json`; `OTEL_EXPORTER_OTLP_HEADERS`; `OTEL_TRACES_SAMPLER`;
/// `OTEL_BSP_SCHEDULE_DELAY`; …). Only traces are exported: metrics stay on `/metrics`,
/// logs on standard error.
///
/// The spans (docs/tracing.md): the HTTP server span of each request (Hummingbird's
/// `TracingMiddleware`), `status callback`, `signature check` and `store commit` within a
/// callback's, and one `sink delivery` trace per attempt at a batch, whose webhook requests
/// carry its `traceparent`.
public enum TraceExport {
    /// Whether `environment` asks for traces.
    public static func isRequested(by environment: [String: String]) -> Bool {
        let endpoint = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
            .contains { !(environment[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        let disabled = environment["OTEL_SDK_DISABLED"]?.lowercased() == "true"
            || environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none"
        return endpoint && !disabled
    }

    /// The refusal of the protocol variable that asks for OTLP/gRPC, which this build leaves
    /// out; nil when the protocol in effect for traces is an HTTP one (or unset).
    public static func unsupportedProtocol(in environment: [String: String]) -> UnsupportedProtocolError? {
        // The traces' own variable wins over the shared one.
        guard let variable = ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"].first(where: {
            environment[$0] != nil
        }), let value = environment[variable], value.lowercased().hasPrefix("grpc") else { return nil }
        return UnsupportedProtocolError(variable: variable, value: value)
    }

    /// Makes OTLP/HTTP the process's tracer (`InstrumentationSystem`) when `environment` asks
    /// for traces, and returns the service that exports the spans; nil, and nothing bootstrapped,
    /// otherwise. Call it at most once per process, before the application is built (HTTP
    /// clients pick the tracer up when they are made).
    ///
    /// - Parameter logger: where the exporter says it cannot reach the collector.
    /// - Throws: ``UnsupportedProtocolError`` when the environment asks for OTLP/gRPC.
    ///   Other values OpenTelemetry does not define are logged by swift-otel and replaced
    ///   by the default.
    public static func bootstrap(environment: [String: String], logger: Logger) throws -> (any Service)? {
        guard isRequested(by: environment) else { return nil }
        if let refusal = unsupportedProtocol(in: environment) {
            throw refusal
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "tidings"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        // A collector that is down must not hold a stopping server for long (the
        // specification's 10 s per request and 30 s per batch took 20 s and more):
        // OTEL_EXPORTER_OTLP_TIMEOUT and OTEL_BSP_EXPORT_TIMEOUT still override these.
        configuration.traces.otlpExporter.timeout = .seconds(3)
        configuration.traces.batchSpanProcessor.exportTimeout = .seconds(5)
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        return try OTel.bootstrap(configuration: configuration, environment: environment)
    }
}

/// The environment asks for traces over OTLP/gRPC, which Tidings does not export.
public struct UnsupportedProtocolError: Error, CustomStringConvertible {
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` or `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`.
    public let variable: String
    public let value: String

    public init(variable: String, value: String) {
        self.variable = variable
        self.value = value
    }

    public var description: String {
        "\(variable)=\(value): Tidings exports traces over OTLP/HTTP only. Set it to http/protobuf (or http/json), "
            + "and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (4318 by default)."
    }
}

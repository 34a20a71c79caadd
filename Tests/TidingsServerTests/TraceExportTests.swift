import Testing
import TidingsServer

/// When the OpenTelemetry variables turn traces on, and which of them Tidings refuses.
@Suite("Trace export settings")
struct TraceExportTests {
    @Test(arguments: [
        ([:], false),
        (["OTEL_SERVICE_NAME": "tidings"], false),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"], true),
        (["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"], true),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "  "], false),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "TRUE"], false),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "false"], true),
        (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"], false),
    ])
    func tracesAreOnOnlyWithACollector(environment: [String: String], on: Bool) {
        #expect(TraceExport.isRequested(by: environment) == on)
    }

    @Test func gRPCIsRefusedByNameUnlessTheTracesOwnProtocolIsHTTP() throws {
        #expect(TraceExport.unsupportedProtocol(in: ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"]) == nil)
        #expect(TraceExport.unsupportedProtocol(in: [:]) == nil)
        let shared = TraceExport.unsupportedProtocol(in: ["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        #expect(shared?.variable == "OTEL_EXPORTER_OTLP_PROTOCOL" && shared?.value == "grpc")
        #expect(TraceExport.unsupportedProtocol(in: [
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
        ]) == nil)
        let own = TraceExport.unsupportedProtocol(in: [
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc",
        ])
        #expect(own?.variable == "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        let message = try #require(shared).description
        #expect(message.contains("http/protobuf") && message.contains("4318"))
    }
}

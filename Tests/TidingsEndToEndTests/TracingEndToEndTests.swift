import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// OpenTelemetry traces from the real `tidings serve`, received by a collector on loopback
/// (a ``LocalReceiver`` standing in for one) and decoded from OTLP/HTTP JSON.
@Suite("Traces")
struct TracingEndToEndTests {
    static let token = "tracing-test-token"

    @Test func callbacksAndSinkDeliveriesAreSpansAndWebhooksCarryTheirTraceparent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await LocalReceiver.with { collector in
            try await LocalReceiver.with { webhook in
                let server = try await TidingsProcess(
                    arguments: ["--data-dir", directory.path("data"), "--sink", "webhook=\(webhook.url)"],
                    environment: [
                        "TIDINGS_AUTH_TOKEN": Self.token,
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url,
                        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                        "OTEL_SERVICE_NAME": "tidings-under-test",
                        "OTEL_BSP_SCHEDULE_DELAY": "50",
                    ],
                    standardOutput: directory.url("stdout.jsonl"))
                defer { server.stop() }
                let callbacks = CallbackClient(port: server.port, authToken: Self.token)
                let sid = CallbackFixtures.sid(0x7ace)
                let form = CallbackFixtures.parameters(sid: sid, status: "delivered")
                #expect(try await callbacks.post(form) == 204)
                #expect(try await callbacks.post(form, signature: "Zm9yZ2Vk") == 403)

                var spans: [ExportedSpan] = []
                try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                    spans = try collector.requests.flatMap { try ExportedSpan.all(inOTLPJSON: $0.body) }
                    // A span ends after its children, so it may reach the collector in a later
                    // export than they do: wait for the requests' spans too.
                    let callbackSpans = spans.filter { $0.name == "status callback" }
                    return spans.contains { $0.name == "sink delivery" && $0.attributes[SpanAttributeName.sinkName] == "webhook" }
                        && callbackSpans.count == 2
                        && callbackSpans.allSatisfy { callback in spans.contains { $0.spanID == callback.parentSpanID } }
                }
                #expect(spans.allSatisfy { $0.serviceName == "tidings-under-test" })

                // The accepted callback: a server span for the route, holding `status
                // callback`, which holds the signature check and the commit.
                let accepted = try #require(spans.first {
                    $0.name == "status callback" && $0.attributes[SpanAttributeName.outcome] == "accepted"
                })
                #expect(accepted.attributes[SpanAttributeName.messageSid] == sid)
                #expect(accepted.attributes[SpanAttributeName.messageStatus] == "delivered")
                let request = try #require(spans.first { $0.spanID == accepted.parentSpanID })
                #expect(request.kind == "SPAN_KIND_SERVER" && request.name == "/twilio/status")
                #expect(request.attributes["http.route"] == "/twilio/status")
                #expect(request.attributes["http.response.status_code"] == "204")
                let children = spans.filter { $0.parentSpanID == accepted.spanID }
                let signature = try #require(children.first { $0.name == "signature check" })
                #expect(signature.attributes[SpanAttributeName.signatureValid] == "true")
                #expect(signature.attributes["url.full"] == callbacks.callbackURL)
                let commit = try #require(children.first { $0.name == "store commit" })
                #expect(commit.attributes[SpanAttributeName.messageSid] == sid)
                #expect(commit.attributes[SpanAttributeName.outcome] == "recorded")
                #expect(Int(commit.attributes[SpanAttributeName.storeBatchSize] ?? "") ?? 0 >= 1)
                #expect(Set([request, accepted, signature, commit].map(\.traceID)).count == 1)

                // The forged one: refused at the signature, nothing committed.
                let forged = try #require(spans.first {
                    $0.name == "status callback" && $0.attributes[SpanAttributeName.outcome] == "forged"
                })
                let forgedChildren = spans.filter { $0.parentSpanID == forged.spanID }
                #expect(forgedChildren.map(\.name) == ["signature check"])
                #expect(forgedChildren.first?.attributes[SpanAttributeName.signatureValid] == "false")

                // The webhook delivery: its request carries the trace of the `sink delivery` span.
                let delivery = try #require(spans.first {
                    $0.name == "sink delivery" && $0.attributes[SpanAttributeName.sinkName] == "webhook"
                })
                #expect(delivery.kind == "SPAN_KIND_PRODUCER" && delivery.parentSpanID == nil)
                #expect(delivery.attributes[SpanAttributeName.outcome] == "delivered")
                #expect(delivery.attributes[SpanAttributeName.sinkBatchSize] == "1")
                let traceparent = try #require(webhook.requests.first?.headers["traceparent"])
                let fields = traceparent.split(separator: "-").map(String.init)
                #expect(fields.count == 4 && fields[0] == "00" && fields[1] == delivery.traceID)
                let posted = try #require(spans.first { $0.spanID == fields[2] })
                #expect(posted.kind == "SPAN_KIND_CLIENT" && posted.parentSpanID == delivery.spanID)
            }
        }
    }

    @Test func aReconciliationPassHoldsTheCommitsOfWhatItFound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let unheard = CallbackFixtures.sid(0x7acf)
        let account = "AC" + String(repeating: "5", count: 32)
        try await FakeMessagesAPI.with(
            answer: { _, _ in .init(status: 500) },
            list: { _ in
                .page([FakeMessagesAPI.Answer.messageJSON(unheard, "delivered", updated: "Fri, 15 Jan 2027 08:00:00 +0000")], next: nil)
            }
        ) { api in
            try await LocalReceiver.with { collector in
                let server = try await TidingsProcess(
                    arguments: [
                        "--data-dir", directory.path("data"), "--twilio-api-url", api.baseURL, "--reconcile-every", "0",
                        "--twilio-account-sid", account,
                    ],
                    environment: [
                        "TIDINGS_AUTH_TOKEN": Self.token,
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url,
                        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                        "OTEL_BSP_SCHEDULE_DELAY": "50",
                    ],
                    standardOutput: directory.url("stdout.jsonl"))
                defer { server.stop() }
                let result = try await TidingsCommand.run(
                    ["reconcile", "--sweep", "24h", "--server", "http://127.0.0.1:\(server.port)"])
                #expect(result.exitStatus == 0, "\(result.standardError)")

                var spans: [ExportedSpan] = []
                try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                    spans = try collector.requests.flatMap { try ExportedSpan.all(inOTLPJSON: $0.body) }
                    // The request's span ends after the pass's, and may come in a later export.
                    guard let pass = spans.first(where: { $0.name == "reconciliation pass" }) else { return false }
                    return spans.contains { $0.spanID == pass.parentSpanID }
                }
                let pass = try #require(spans.first { $0.name == "reconciliation pass" })
                #expect(pass.attributes[SpanAttributeName.reconcileSweepSeconds] == "86400")
                #expect(pass.attributes[SpanAttributeName.reconcileChecked] == "1")
                #expect(pass.attributes[SpanAttributeName.reconcileChanged] == "1")
                let request = try #require(spans.first { $0.spanID == pass.parentSpanID })
                #expect(request.name == "/v1/reconcile" && request.kind == "SPAN_KIND_SERVER")
                let commit = try #require(spans.first { $0.parentSpanID == pass.spanID && $0.name == "store commit" })
                #expect(commit.attributes[SpanAttributeName.messageSid] == unheard)
                #expect(commit.attributes[SpanAttributeName.outcome] == "recorded")
                #expect(spans.contains { $0.parentSpanID == pass.spanID && $0.kind == "SPAN_KIND_CLIENT" }, "the list request to the API")
            }
        }
    }

    @Test func aCollectorThatIsDownCostsNoCallback() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await ClosedPort.with { port in
            let server = try await TidingsProcess(
                arguments: ["--data-dir", directory.path("data")],
                environment: [
                    "TIDINGS_AUTH_TOKEN": Self.token,
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)",
                    "OTEL_BSP_SCHEDULE_DELAY": "10",
                ],
                standardOutput: directory.url("stdout.jsonl"))
            defer { server.stop() }
            let callbacks = CallbackClient(port: server.port, authToken: Self.token)
            let sids = (0..<20).map { CallbackFixtures.sid(0xd0_000 + $0) }
            for sid in sids {
                #expect(try await callbacks.post(CallbackFixtures.parameters(sid: sid, status: "sent")) == 204)
            }
            #expect(try await callbacks.storedSIDs().isSuperset(of: sids))
        }
    }

    @Test func gRPCIsRefusedAtStartWithWhatToSetInstead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await TidingsCommand.run(
            ["serve", "--data-dir", directory.path("data"), "--port", "0"],
            environment: [
                "TIDINGS_AUTH_TOKEN": Self.token, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            ])
        #expect(result.exitStatus != 0)
        #expect(result.standardError.contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc"))
        #expect(result.standardError.contains("http/protobuf"))
    }
}

/// One span of an OTLP/HTTP JSON export (`ExportTraceServiceRequest`), its attributes as text.
struct ExportedSpan: Sendable {
    let serviceName: String?
    let name: String
    let kind: String
    /// Lowercase hex, as in `traceparent`.
    let traceID: String
    let spanID: String
    let parentSpanID: String?
    let attributes: [String: String]

    /// Every span of one export body.
    static func all(inOTLPJSON body: Data) throws -> [ExportedSpan] {
        let export = try JSONDecoder().decode(Export.self, from: body)
        return export.resourceSpans.flatMap { resource in
            let service = resource.resource?.attributes?.first { $0.key == "service.name" }?.value.text
            return resource.scopeSpans.flatMap(\.spans).map { span in
                ExportedSpan(
                    serviceName: service, name: span.name, kind: kindName(span.kind.text), traceID: hex(span.traceId),
                    spanID: hex(span.spanId), parentSpanID: span.parentSpanId.flatMap { $0.isEmpty ? nil : hex($0) },
                    attributes: Dictionary(
                        (span.attributes ?? []).map { ($0.key, $0.value.text) }, uniquingKeysWith: { first, _ in first }))
            }
        }
    }

    /// OTLP/JSON writes the kind as a number, protobuf's generic JSON mapping as a name.
    private static func kindName(_ kind: String) -> String {
        let names = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
        return Int(kind).flatMap { names.indices.contains($0) ? names[$0] : nil } ?? kind
    }

    /// OTLP/JSON writes ids in hex; protobuf's generic JSON mapping, in base64. Either becomes hex.
    private static func hex(_ id: String) -> String {
        if id.count % 16 == 0, id.allSatisfy(\.isHexDigit) { return id.lowercased() }
        guard let bytes = Data(base64Encoded: id) else { return id }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    private struct Export: Decodable {
        let resourceSpans: [ResourceSpans]
    }

    private struct ResourceSpans: Decodable {
        struct Resource: Decodable { let attributes: [Attribute]? }
        let resource: Resource?
        let scopeSpans: [ScopeSpans]
    }

    private struct ScopeSpans: Decodable {
        let spans: [Span]
    }

    private struct Span: Decodable {
        let traceId: String
        let spanId: String
        let parentSpanId: String?
        let name: String
        let kind: Scalar
        let attributes: [Attribute]?
    }

    private struct Attribute: Decodable {
        let key: String
        let value: AnyValue
    }

    /// `{"stringValue": …}`, `{"intValue": "3"}`, `{"boolValue": true}`, … as text.
    private struct AnyValue: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let fields = try container.decode([String: Scalar].self)
            text = fields.values.first?.text ?? ""
        }
    }

    /// A JSON string, number or boolean, as text.
    private struct Scalar: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let bool = try? container.decode(Bool.self) {
                text = String(bool)
            } else if let int = try? container.decode(Int64.self) {
                text = String(int)
            } else {
                text = String(try container.decode(Double.self))
            }
        }
    }
}

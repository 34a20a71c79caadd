import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
import TidingsCore
import TidingsServer
import TidingsTestSupport
import TwilioWebhooks

@Suite struct MetricsTests {
    /// The value of one series (`name{labels}`) in a text exposition; nil when absent.
    static func value(of series: String, in text: String) -> Double? {
        text.split(separator: "\n")
            .first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    static func change(
        _ status: MessageStatus, reported: MessageStatus? = nil, previous: MessageStatus? = nil,
        errorCode: Int? = nil, channel: Channel = .sms, applied: Bool = true, conflict: Bool = false,
        stale: Bool = false
    ) -> StatusChange {
        StatusChange(
            id: "SM1-1", receivedAt: Date(), source: stale ? nil : .callback, sid: "SM1", status: status, previousStatus: previous,
            reportedStatus: reported ?? status, errorCode: errorCode, errorMessage: nil, channel: channel,
            to: nil, applied: applied, conflict: conflict, stale: stale)
    }

    @Test func everyCallbackOutcomeIsThereFromTheStart() {
        let text = TidingsMetrics().render()
        #expect(text.contains("# TYPE tidings_callbacks_total counter"))
        for outcome in [
            "accepted", "duplicate", "forged", "malformed", "unsupported_media_type", "too_large", "store_unavailable",
        ] {
            #expect(Self.value(of: "tidings_callbacks_total{outcome=\"\(outcome)\"}", in: text) == 0)
        }
        #expect(Self.value(of: "tidings_conflicts_total", in: text) == 0)
        #expect(Self.value(of: "tidings_unknown_statuses_total", in: text) == 0)
        #expect(Self.value(of: "tidings_stale_detected_total", in: text) == 0)
    }

    @Test func answersAreCountedByOutcome() {
        let metrics = TidingsMetrics()
        metrics.callbackAnswered(.accepted)
        metrics.callbackAnswered(.accepted)
        metrics.callbackAnswered(.forged)
        let text = metrics.render()
        #expect(Self.value(of: #"tidings_callbacks_total{outcome="accepted"}"#, in: text) == 2)
        #expect(Self.value(of: #"tidings_callbacks_total{outcome="forged"}"#, in: text) == 1)
        #expect(Self.value(of: #"tidings_callbacks_total{outcome="duplicate"}"#, in: text) == 0)
    }

    @Test func refusalsMapToTheirOutcome() {
        #expect(CallbackOutcome(refusal: .forbidden) == .forged)
        #expect(CallbackOutcome(refusal: .badRequest) == .malformed)
        #expect(CallbackOutcome(refusal: .unsupportedMediaType) == .unsupportedMediaType)
        #expect(CallbackOutcome(refusal: .contentTooLarge) == .tooLarge)
        #expect(CallbackOutcome(refusal: .serviceUnavailable) == .storeUnavailable)
        #expect(CallbackOutcome(refusal: .notFound) == nil)
    }

    @Test func appliedChangesAreCountedByStatusChannelAndErrorCode() {
        let metrics = TidingsMetrics()
        metrics.recorded(Self.change(.sent, channel: .whatsapp))
        metrics.recorded(Self.change(.sent, channel: .whatsapp))
        metrics.recorded(Self.change(.undelivered, previous: .sent, errorCode: 30003))
        // A late `sent` after `delivered` is history: no status reached, and the old error
        // code it carries is not counted again.
        metrics.recorded(Self.change(.undelivered, reported: .sent, previous: .undelivered, errorCode: 30003, applied: false))
        let text = metrics.render()
        #expect(text.contains("# TYPE tidings_status_changes_total counter"))
        #expect(Self.value(of: #"tidings_status_changes_total{status="sent",channel="whatsapp"}"#, in: text) == 2)
        #expect(Self.value(of: #"tidings_status_changes_total{status="undelivered",channel="sms"}"#, in: text) == 1)
        #expect(Self.value(of: #"tidings_status_changes_total{status="sent",channel="sms"}"#, in: text) == nil)
        #expect(Self.value(of: #"tidings_error_codes_total{code="30003"}"#, in: text) == 1)
    }

    @Test func conflictsAndUnknownStatusesAreCounted() {
        let metrics = TidingsMetrics()
        metrics.recorded(Self.change(.delivered, reported: .failed, previous: .delivered, applied: false, conflict: true))
        metrics.recorded(Self.change(.delivered, reported: .unknown("teleported"), previous: .delivered, applied: false))
        // The first callback of a message moves it even to an undocumented status.
        metrics.recorded(Self.change(.unknown("teleported")))
        let text = metrics.render()
        #expect(Self.value(of: "tidings_conflicts_total", in: text) == 1)
        #expect(Self.value(of: "tidings_unknown_statuses_total", in: text) == 2)
        #expect(Self.value(of: #"tidings_status_changes_total{status="unknown",channel="sms"}"#, in: text) == 1)
    }

    @Test func staleReportsCountOnlyAsStale() {
        let metrics = TidingsMetrics()
        metrics.recorded(Self.change(.unknown("teleported"), previous: .unknown("teleported"), applied: false, stale: true))
        metrics.staleDetected(3)
        metrics.staleDetected(0)
        let text = metrics.render()
        #expect(Self.value(of: "tidings_unknown_statuses_total", in: text) == 0)
        #expect(Self.value(of: "tidings_stale_detected_total", in: text) == 3)
    }

    @Test func durationsFillTheirHistogramBuckets() {
        let metrics = TidingsMetrics()
        metrics.callbackHandled(seconds: 0.003)
        metrics.callbackHandled(seconds: 0.00005)
        metrics.storeWrite(seconds: 2)
        let text = metrics.render()
        #expect(text.contains("# TYPE tidings_callback_duration_seconds histogram"))
        #expect(Self.value(of: #"tidings_callback_duration_seconds_bucket{le="0.0001"}"#, in: text) == 1)
        #expect(Self.value(of: #"tidings_callback_duration_seconds_bucket{le="0.0025"}"#, in: text) == 1)
        #expect(Self.value(of: #"tidings_callback_duration_seconds_bucket{le="0.005"}"#, in: text) == 2)
        #expect(Self.value(of: #"tidings_callback_duration_seconds_bucket{le="1.0"}"#, in: text) == 2)
        #expect(Self.value(of: #"tidings_callback_duration_seconds_bucket{le="+Inf"}"#, in: text) == 2)
        #expect(Self.value(of: "tidings_callback_duration_seconds_count", in: text) == 2)
        #expect(abs((Self.value(of: "tidings_callback_duration_seconds_sum", in: text) ?? 0) - 0.00305) < 1e-9)
        #expect(text.contains("# TYPE tidings_store_write_duration_seconds histogram"))
        #expect(Self.value(of: #"tidings_store_write_duration_seconds_bucket{le="1.0"}"#, in: text) == 0)
        #expect(Self.value(of: #"tidings_store_write_duration_seconds_bucket{le="+Inf"}"#, in: text) == 1)
        #expect(Self.value(of: "tidings_store_write_duration_seconds_count", in: text) == 1)
    }

    @Test func sinkGaugesFollowTheLatestStatus() {
        let metrics = TidingsMetrics()
        metrics.update(sinks: [
            SinkStatus(name: "log", cursor: 7, latestSeq: 10, lagSeconds: 1.5, lastError: nil, lastErrorAt: nil, deadLetters: 0),
            SinkStatus(name: "webhook", cursor: 2, latestSeq: 10, lagSeconds: 42, lastError: "503", lastErrorAt: Date(), deadLetters: 4),
        ])
        var text = metrics.render()
        #expect(text.contains("# TYPE tidings_sink_lag_events gauge"))
        #expect(Self.value(of: #"tidings_sink_lag_events{sink="log"}"#, in: text) == 3)
        #expect(Self.value(of: #"tidings_sink_lag_seconds{sink="log"}"#, in: text) == 1.5)
        #expect(Self.value(of: #"tidings_sink_dead_letters{sink="log"}"#, in: text) == 0)
        #expect(Self.value(of: #"tidings_sink_lag_events{sink="webhook"}"#, in: text) == 8)
        #expect(Self.value(of: #"tidings_sink_lag_seconds{sink="webhook"}"#, in: text) == 42)
        #expect(Self.value(of: #"tidings_sink_dead_letters{sink="webhook"}"#, in: text) == 4)

        metrics.update(sinks: [
            SinkStatus(name: "webhook", cursor: 10, latestSeq: 10, lagSeconds: 0, lastError: nil, lastErrorAt: nil, deadLetters: 1),
        ])
        text = metrics.render()
        #expect(Self.value(of: #"tidings_sink_lag_events{sink="webhook"}"#, in: text) == 0)
        #expect(Self.value(of: #"tidings_sink_lag_seconds{sink="webhook"}"#, in: text) == 0)
        #expect(Self.value(of: #"tidings_sink_dead_letters{sink="webhook"}"#, in: text) == 1)
    }

    @Test func getMetricsAnswersTheTextExposition() async throws {
        let metrics = TidingsMetrics()
        metrics.callbackAnswered(.accepted)
        let router = Router()
        MetricsController(metrics: metrics).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(Self.value(of: #"tidings_callbacks_total{outcome="accepted"}"#, in: text) == 1)
            #expect(text.contains("# HELP tidings_callbacks_total "))
        }
    }

    @Test func theServiceKeepsTheSinkGaugesCurrentUntilShutdown() async throws {
        let logger = Logger(label: "metrics-test")
        let store = InMemoryStatusStore()
        let dispatcher = SinkDispatcher(outbox: store, routes: [SinkRoute(sink: RecordingSink())], logger: logger)
        try await dispatcher.registerSinks()
        let metrics = TidingsMetrics()
        let service = SinkMetricsService(dispatcher: dispatcher, metrics: metrics, interval: .milliseconds(10), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let lagEvents = #"tidings_sink_lag_events{sink="recording"}"#

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually { Self.value(of: lagEvents, in: metrics.render()) == 0 }
            #expect(Self.value(of: lagEvents, in: metrics.render()) == 0)

            // Not delivered, since the dispatcher does not run: the next reading shows it.
            _ = try await store.record(
                CallbackFixtures.callback(sid: CallbackFixtures.sid(1), status: "sent"), receivedAt: Date())
            try await eventually { Self.value(of: lagEvents, in: metrics.render()) == 1 }
            #expect(Self.value(of: lagEvents, in: metrics.render()) == 1)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aStoreThatIsDownIsNotFatal() async throws {
        enum Finished { case service, threeFailedReadings }
        let logger = Logger(label: "metrics-test")
        let store = UnavailableStore()
        let dispatcher = SinkDispatcher(outbox: store, routes: [SinkRoute(sink: RecordingSink())], logger: logger)
        let metrics = TidingsMetrics()
        let service = SinkMetricsService(dispatcher: dispatcher, metrics: metrics, interval: .milliseconds(5), logger: logger)

        // The service is still running after the store failed it three times.
        let first = try await withThrowingTaskGroup(of: Finished.self) { tasks in
            tasks.addTask { try await service.run(); return .service }
            tasks.addTask {
                try #require(try await eventually { store.failedCalls.count.load(ordering: .relaxed) >= 3 })
                return .threeFailedReadings
            }
            let first = try await tasks.next()
            tasks.cancelAll()
            return first
        }
        #expect(first == .threeFailedReadings)
        #expect(!metrics.render().contains("tidings_sink_lag_events{"))
    }
}

import Prometheus
import TidingsCore
import TwilioWebhooks

/// Tidings' Prometheus metrics, served by `GET /metrics` (see ``MetricsController``).
///
/// Each instance owns its own registry — nothing is bootstrapped globally — so every
/// application, and every test, counts on its own.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `tidings_callbacks_total` | counter | `outcome` (``CallbackOutcome``) |
/// | `tidings_events_total` | counter | `outcome` (``CallbackOutcome``): Event Streams events, and refused deliveries |
/// | `tidings_receipts_total` | counter | `outcome` (``CallbackOutcome``): Conversations webhooks |
/// | `tidings_status_changes_total` | counter | `status`, `channel` |
/// | `tidings_error_codes_total` | counter | `code` |
/// | `tidings_conflicts_total` | counter | |
/// | `tidings_unknown_statuses_total` | counter | |
/// | `tidings_callback_duration_seconds` | histogram | |
/// | `tidings_store_write_duration_seconds` | histogram | |
/// | `tidings_sink_lag_events`, `tidings_sink_lag_seconds`, `tidings_sink_dead_letters` | gauge | `sink` |
/// | `tidings_stale_detected_total` | counter | |
/// | `tidings_reconcile_passes_total` | counter | `outcome` (``ReconcilePassOutcome``) |
/// | `tidings_reconcile_messages_total` | counter | `result`: `checked`, `changed`, `discovered`, `not_found`, `failed` |
public final class TidingsMetrics: Sendable {
    /// The upper bounds, in seconds, of the duration histograms' buckets: from 0.1 ms (a
    /// refused callback) to 1 s (a store under strain).
    public static let durationBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    ]

    private let registry: PrometheusCollectorRegistry
    private let callbacks: [CallbackOutcome: Counter]
    private let events: [CallbackOutcome: Counter]
    private let receipts: [CallbackOutcome: Counter]
    private let conflicts: Counter
    private let unknownStatuses: Counter
    private let callbackDuration: ValueHistogram
    private let storeWriteDuration: ValueHistogram
    private let staleDetections: Counter
    private let reconcilePasses: [ReconcilePassOutcome: Counter]
    private let reconcileMessages: [String: Counter]

    /// Creates the metrics, each at zero, in a registry of their own.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func counters(_ name: MetricNameDescriptor, except left: Set<CallbackOutcome> = []) -> [CallbackOutcome: Counter] {
            Dictionary(uniqueKeysWithValues: CallbackOutcome.allCases.filter { !left.contains($0) }.map { outcome in
                (outcome, registry.makeCounter(descriptor: name, labels: [("outcome", outcome.rawValue)]))
            })
        }
        callbacks = counters(Names.callbacks, except: [.quarantined, .ignored])
        events = counters(Names.events, except: [.ignored])
        receipts = counters(Names.receipts)
        conflicts = registry.makeCounter(descriptor: Names.conflicts)
        unknownStatuses = registry.makeCounter(descriptor: Names.unknownStatuses)
        callbackDuration = registry.makeValueHistogram(descriptor: Names.callbackDuration, buckets: Self.durationBuckets)
        storeWriteDuration = registry.makeValueHistogram(descriptor: Names.storeWriteDuration, buckets: Self.durationBuckets)
        staleDetections = registry.makeCounter(descriptor: Names.staleDetected)
        reconcilePasses = Dictionary(uniqueKeysWithValues: ReconcilePassOutcome.allCases.map { outcome in
            (outcome, registry.makeCounter(descriptor: Names.reconcilePasses, labels: [("outcome", outcome.rawValue)]))
        })
        reconcileMessages = Dictionary(uniqueKeysWithValues: ["checked", "changed", "discovered", "not_found", "failed"].map { result in
            (result, registry.makeCounter(descriptor: Names.reconcileMessages, labels: [("result", result)]))
        })
    }

    /// Counts one answer of the callback route.
    public func callbackAnswered(_ outcome: CallbackOutcome) {
        callbacks[outcome]?.increment()
    }

    /// Counts `count` events of an Event Streams delivery that met `outcome`, or one refused
    /// delivery.
    public func eventAnswered(_ outcome: CallbackOutcome, count: Int = 1) {
        guard count > 0 else { return }
        events[outcome]?.increment(by: Int64(count))
    }

    /// Counts one Conversations webhook by its outcome.
    public func receiptAnswered(_ outcome: CallbackOutcome) {
        receipts[outcome]?.increment()
    }

    /// Counts what one stored callback did to its message:
    ///
    /// - an applied change counts once in `tidings_status_changes_total` under the status it
    ///   reached (an undocumented one as `unknown`), and once in `tidings_error_codes_total`
    ///   when that status came with an error code;
    /// - a change that reports a final status for a message whose callbacks disagree counts
    ///   in `tidings_conflicts_total`;
    /// - a change that reports a status Twilio does not document counts in
    ///   `tidings_unknown_statuses_total`.
    ///
    /// Stale reports (``TidingsCore/StatusChange/stale``) carry no callback and count
    /// nothing here; see ``staleDetected(_:)``.
    public func recorded(_ change: StatusChange) {
        guard !change.stale else { return }
        if change.applied {
            let status = change.status.isDocumented ? change.status.wireValue : "unknown"
            registry.makeCounter(
                descriptor: Names.statusChanges, labels: [("status", status), ("channel", change.channel.name)]
            ).increment()
            if let code = change.errorCode {
                registry.makeCounter(descriptor: Names.errorCodes, labels: [("code", String(code))]).increment()
            }
        }
        if change.conflict, change.reportedStatus.isFinal {
            conflicts.increment()
        }
        if !change.reportedStatus.isDocumented {
            unknownStatuses.increment()
        }
    }

    /// Records how long the callback route took over one request, from its arrival to its
    /// answer, refusals included.
    public func callbackHandled(seconds: Double) {
        callbackDuration.record(seconds)
    }

    /// Records how long the store took to record one callback.
    public func storeWrite(seconds: Double) {
        storeWriteDuration.record(seconds)
    }

    /// Sets each sink's lag and dead-letter gauges from the dispatcher's
    /// ``TidingsCore/SinkDispatcher/status()``.
    public func update(sinks: [SinkStatus]) {
        for sink in sinks {
            let labels = [("sink", sink.name)]
            registry.makeGauge(descriptor: Names.sinkLagEvents, labels: labels).set(Double(sink.lagEvents))
            registry.makeGauge(descriptor: Names.sinkLagSeconds, labels: labels).set(sink.lagSeconds)
            registry.makeGauge(descriptor: Names.sinkDeadLetters, labels: labels).set(Double(sink.deadLetters))
        }
    }

    /// Counts messages newly found stale.
    public func staleDetected(_ count: Int) {
        guard count > 0 else { return }
        staleDetections.increment(by: Int64(count))
    }

    /// Counts one reconciliation pass by how it ended, and what it did to messages when
    /// it got as far as a summary.
    public func reconcilePassEnded(_ outcome: ReconcilePassOutcome, summary: ReconcileSummary?) {
        reconcilePasses[outcome]?.increment()
        guard let summary else { return }
        let counts = [
            "checked": summary.checked, "changed": summary.changed, "discovered": summary.discovered,
            "not_found": summary.notFound, "failed": summary.failed,
        ]
        for (result, count) in counts where count > 0 {
            reconcileMessages[result]?.increment(by: Int64(count))
        }
    }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        registry.emitToString()
    }
}

/// The metrics' names and help texts.
private enum Names {
    private static func name(_ metricName: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tidings", metricName: metricName, unitName: unit, helpText: help)
    }

    static var callbacks: MetricNameDescriptor {
        name("callbacks", unit: "total", help: "Status callbacks answered, by outcome.")
    }
    static var events: MetricNameDescriptor {
        name("events", unit: "total", help: "Event Streams events taken, by outcome (refused deliveries count once).")
    }
    static var receipts: MetricNameDescriptor {
        name("receipts", unit: "total", help: "Conversations webhooks answered, by outcome.")
    }
    static var statusChanges: MetricNameDescriptor {
        name("status_changes", unit: "total", help: "Statuses messages reached, by status and channel.")
    }
    static var errorCodes: MetricNameDescriptor {
        name("error_codes", unit: "total", help: "Statuses reached with a Twilio error code, by code.")
    }
    static var conflicts: MetricNameDescriptor {
        name("conflicts", unit: "total", help: "Final statuses reported for messages whose callbacks disagree.")
    }
    static var unknownStatuses: MetricNameDescriptor {
        name("unknown_statuses", unit: "total", help: "Callbacks reporting a status Twilio does not document.")
    }
    static var callbackDuration: MetricNameDescriptor {
        name("callback_duration", unit: "seconds", help: "Time to answer a status callback.")
    }
    static var storeWriteDuration: MetricNameDescriptor {
        name("store_write_duration", unit: "seconds", help: "Time for the store to record a callback.")
    }
    static var sinkLagEvents: MetricNameDescriptor {
        name("sink_lag", unit: "events", help: "Changes stored but not yet taken by the sink.")
    }
    static var sinkLagSeconds: MetricNameDescriptor {
        name("sink_lag", unit: "seconds", help: "How long the oldest change the sink has not taken has waited.")
    }
    static var sinkDeadLetters: MetricNameDescriptor {
        name("sink_dead_letters", help: "Changes the sink gave up on, waiting for a replay.")
    }
    static var reconcilePasses: MetricNameDescriptor {
        name("reconcile_passes", unit: "total", help: "Reconciliation passes, by how they ended (refused: Twilio refused the credentials).")
    }
    static var reconcileMessages: MetricNameDescriptor {
        name("reconcile_messages", unit: "total", help: "Messages reconciliation asked Twilio about, by what came of it.")
    }
    static var staleDetected: MetricNameDescriptor {
        name("stale_detected", unit: "total", help: "Messages found stale.")
    }
}

import Foundation
import Logging
import Synchronization
import TidingsCore
import Tracing

/// Runs ``Reconciler`` passes one at a time — in this process, and across every instance
/// on the store, through the lease ``passLease`` held for as long as a pass runs — and
/// counts them in the metrics. `POST /v1/reconcile` and the schedule
/// (``ReconciliationService``) both go through it.
final class ReconciliationPasses: Sendable {
    /// What asking for a pass came to.
    enum Outcome: Sendable, Equatable {
        /// The pass ran; this is what it did.
        case ran(ReconcileSummary)
        /// A pass is running here or on another instance; none was started.
        case busy
    }

    /// The lease a running pass holds, in the table of the sinks' leases: no sink may take
    /// a name that starts with `tidings:` (``TidingsCore/SinkSpecification``).
    static let passLease = "tidings:reconcile"

    let reconciler: Reconciler
    let leases: any SinkLeasing
    /// This instance's name in the leases.
    let instance: String
    let metrics: TidingsMetrics
    let logger: Logger
    /// How long the pass lease lasts unrenewed; a pass renews it when half has gone, so an
    /// instance that dies mid-pass holds up the others for at most this long.
    let leaseDuration: Duration
    /// The time the lease renewal goes by.
    let clock: ServiceClock
    private let running = Atomic<Bool>(false)

    init(
        reconciler: Reconciler, leases: any SinkLeasing, instance: String, metrics: TidingsMetrics, logger: Logger,
        leaseDuration: Duration = .seconds(300), clock: ServiceClock = .continuous
    ) {
        self.reconciler = reconciler
        self.leases = leases
        self.instance = instance
        self.metrics = metrics
        self.logger = logger
        self.leaseDuration = leaseDuration
        self.clock = clock
    }

    /// Thrown to end a pass whose lease another instance took (after this one failed to
    /// renew it in time).
    struct LeaseLost: Error, CustomStringConvertible {
        var description: String { "another instance took the reconciliation lease" }
    }

    /// Runs one pass at `now` (with the sweep over `sweep` seconds, when given) unless one
    /// is running; store failures are thrown, and counted. The pass is a `reconciliation pass`
    /// span, which holds the `store commit` of every message it records.
    func run(now: Date, sweep: TimeInterval?) async throws -> Outcome {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return .busy }
        defer { running.store(false, ordering: .releasing) }
        guard try await leases.acquireLease(of: Self.passLease, for: instance, duration: leaseDuration) else { return .busy }
        let renewal = Mutex(clock.now.advanced(by: leaseDuration / 2))
        var reconciler = reconciler
        reconciler.recorded = { [metrics] in metrics.recorded($0) }
        reconciler.beforeEachRequest = { [leases, instance, leaseDuration, clock] in
            guard clock.now >= renewal.withLock({ $0 }) else { return }
            guard try await leases.acquireLease(of: Self.passLease, for: instance, duration: leaseDuration) else { throw LeaseLost() }
            renewal.withLock { $0 = clock.now.advanced(by: leaseDuration / 2) }
        }
        let summary: ReconcileSummary
        do {
            summary = try await withSpan("reconciliation pass") { span in
                span.attributes[SpanAttributeName.reconcileSweepSeconds] = sweep.map { Int($0) }
                let summary = try await reconciler.pass(now: now, sweep: sweep)
                span.attributes[SpanAttributeName.reconcileChecked] = summary.checked
                span.attributes[SpanAttributeName.reconcileChanged] = summary.changed + summary.discovered
                return summary
            }
        } catch {
            if !(error is CancellationError) { metrics.reconcilePassEnded(.failed, summary: nil) }
            try? await leases.releaseLease(of: Self.passLease, by: instance)
            throw error
        }
        try? await leases.releaseLease(of: Self.passLease, by: instance)
        metrics.reconcilePassEnded(summary.stopped == nil ? .completed : .refused, summary: summary)
        logger.info(
            "reconciliation pass done",
            metadata: [
                "checked": "\(summary.checked)", "changed": "\(summary.changed)", "discovered": "\(summary.discovered)",
                "notFound": "\(summary.notFound)", "failed": "\(summary.failed)",
            ])
        return .ran(summary)
    }
}

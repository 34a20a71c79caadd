import Foundation
import Logging
import ServiceLifecycle
import TidingsCore

/// Runs reconciliation on its own, every ``every``, with the sweep once per ``sweep``
/// window — on one instance at a time.
///
/// Several instances on one store share the schedule through the lease
/// ``scheduleLease``, taken for ``every`` and never given back: an instance starts a
/// scheduled pass only when it holds it, that is when it started the last one or nobody
/// has started one for ``every``. So the instances together run about one pass an interval,
/// and when the one that ran them dies, another takes over within an interval. The pass
/// itself holds ``ReconciliationPasses/passLease``, which also keeps a pass asked for by
/// `POST /v1/reconcile` from running beside it.
///
/// The first pass comes one interval after the start, not at it, so that a crash loop does
/// not become a loop of passes. Each sweep lists its window plus one interval, so that
/// consecutive sweeps overlap. Failures are logged and counted (``ReconciliationPasses``);
/// the service goes on to the next interval. Returns on graceful shutdown.
struct ReconciliationService: Service {
    /// The lease on starting the next scheduled pass.
    static let scheduleLease = "tidings:reconcile-schedule"

    let passes: ReconciliationPasses
    /// Time between passes.
    let every: TimeInterval
    /// The sweep's window and period; nil when scheduled passes do not sweep.
    let sweep: TimeInterval?
    let logger: Logger
    /// What the service waits on and the time passes are judged by; tests step a manual one.
    var clock: ServiceClock = .continuous

    func run() async throws {
        var lastSweep: Date?
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            _ = try? await cancelWhenGracefulShutdown { [every, clock] in try await clock.sleep(for: .seconds(every)) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let now = clock.wallTime
            if let swept = await runOnce(now: now, lastSweep: lastSweep) { lastSweep = swept }
        }
    }

    /// One turn of the schedule at `now`: a pass when this instance holds the schedule,
    /// with the sweep when none ran within its period since `lastSweep`. Returns `now` when
    /// it swept.
    func runOnce(now: Date, lastSweep: Date?) async -> Date? {
        do {
            guard try await passes.leases.acquireLease(of: Self.scheduleLease, for: passes.instance, duration: .seconds(every)) else {
                return nil
            }
            let sweepDue = sweep.map { period in lastSweep.map { now.timeIntervalSince($0) >= period } ?? true } ?? false
            switch try await passes.run(now: now, sweep: sweepDue ? sweep.map { $0 + every } : nil) {
            case .ran(let summary):
                if let stopped = summary.stopped {
                    logger.error("scheduled reconciliation stopped; it will try again next interval", metadata: ["reason": "\(stopped)"])
                }
                return sweepDue && summary.stopped == nil ? now : nil
            case .busy:
                logger.info("a reconciliation pass is already running; this turn is skipped")
                return nil
            }
        } catch {
            logger.error("scheduled reconciliation failed; it will try again next interval", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

import Foundation
import Logging
import ServiceLifecycle
import TidingsCore

/// Runs reconciliation on its own, every ``every``, with the sweep once per ``sweep``
/// window — on one instance at a time.
///
/// Several instances on one store share the schedule through two leases in the store:
/// - ``scheduleLease``, taken for two intervals and renewed at every turn: the instance
///   that holds it runs the scheduled passes; when it dies, another takes over within two
///   intervals.
/// - ``sweepLease``, taken for one sweep period under a name of its own each time, so that
///   it is granted only once the last sweep's period is over, whoever swept: the sweep runs
///   once per period across the instances and across restarts. A sweep that did not
///   complete gives it back, so that the next turn sweeps again.
///
/// The pass itself holds ``ReconciliationPasses/passLease``, which also keeps a pass asked
/// for by `POST /v1/reconcile` from running beside it. The first pass comes one interval
/// after the start, not at it, so that a crash loop does not become a loop of passes. Each
/// sweep lists its window plus one interval, so that consecutive sweeps overlap. Failures
/// are logged and counted (``ReconciliationPasses``); the service goes on to the next
/// interval. Returns on graceful shutdown, stopping a pass under way.
struct ReconciliationService: Service {
    /// The lease on running the scheduled passes.
    static let scheduleLease = "tidings:reconcile-schedule"
    /// The lease on the current sweep period.
    static let sweepLease = "tidings:reconcile-sweep"

    let passes: ReconciliationPasses
    /// Time between passes.
    let every: TimeInterval
    /// The sweep's window and period; nil when scheduled passes do not sweep.
    let sweep: TimeInterval?
    let logger: Logger
    /// What the service waits on and the time passes are judged by; tests step a manual one.
    var clock: ServiceClock = .continuous

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            _ = try? await cancelWhenGracefulShutdown { [every, clock] in try await clock.sleep(for: .seconds(every)) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            await runOnce(now: clock.wallTime)
        }
    }

    /// One turn of the schedule at `now`: a pass when this instance holds the schedule,
    /// with the sweep when its period is over.
    func runOnce(now: Date) async {
        let leases = passes.leases
        var sweepHolder: String?
        do {
            guard try await leases.acquireLease(of: Self.scheduleLease, for: passes.instance, duration: .seconds(2 * every)) else {
                return
            }
            if let sweep {
                let holder = "\(passes.instance) \(UUID().uuidString.prefix(8))"
                if try await leases.acquireLease(of: Self.sweepLease, for: holder, duration: .seconds(sweep)) { sweepHolder = holder }
            }
            // A pass can take minutes: on shutdown it stops where it is (what it recorded stays).
            let window = sweepHolder == nil ? nil : sweep.map { $0 + every }
            switch try await cancelWhenGracefulShutdown({ [passes] in try await passes.run(now: now, sweep: window) }) {
            case .ran(let summary):
                if let stopped = summary.stopped {
                    logger.error("scheduled reconciliation stopped; it will try again next interval", metadata: ["reason": "\(stopped)"])
                } else {
                    sweepHolder = nil  // the sweep is done: its lease stands for the period
                }
            case .busy:
                logger.info("a reconciliation pass is already running; this turn is skipped")
            }
        } catch is CancellationError {
            logger.info("scheduled reconciliation stopped for the shutdown")
        } catch {
            logger.error("scheduled reconciliation failed; it will try again next interval", metadata: ["error": "\(error)"])
        }
        if let sweepHolder {
            try? await leases.releaseLease(of: Self.sweepLease, by: sweepHolder)
        }
    }
}

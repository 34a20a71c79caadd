import Foundation
import Logging
import ServiceLifecycle
import TidingsCore

/// The periodic chores of a running server: reporting messages stuck in flight as stale
/// (Twilio sends nothing when a carrier never answers) and deleting messages, and what the
/// quarantine kept, past the retention period.
struct MaintenanceService: Service {
    let store: any StoreMaintaining & ReportQuarantine
    let staleAfter: TimeInterval
    let retention: TimeInterval?
    let logger: Logger
    /// Called with the number of messages newly found stale.
    let onStale: @Sendable (Int) -> Void
    /// What the rounds wait on and the time they judge ages by; tests step a manual one.
    var clock: ServiceClock = .continuous

    /// How often the chores run: often enough that a stale message is reported within a
    /// few percent of the threshold.
    var interval: Duration {
        .seconds(min(max(staleAfter / 20, 1), 60))
    }

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await runOnce(now: clock.wallTime)
            _ = try? await cancelWhenGracefulShutdown { [interval, clock] in try await clock.sleep(for: interval) }
        }
    }

    /// One round of the chores.
    func runOnce(now: Date) async {
        do {
            let stale = try await store.markStale(lastChangeBefore: now.addingTimeInterval(-staleAfter), at: now)
            if !stale.isEmpty {
                onStale(stale.count)
                logger.warning(
                    "messages in flight with no callback for longer than the stale threshold",
                    metadata: ["count": "\(stale.count)", "staleAfterSeconds": "\(Int(staleAfter))"])
            }
        } catch {
            logger.error("cannot look for stale messages", metadata: ["error": "\(error)"])
        }
        guard let retention else { return }
        do {
            let deleted = try await store.deleteMessages(lastChangeBefore: now.addingTimeInterval(-retention))
            if deleted > 0 {
                logger.info("deleted messages past the retention period", metadata: ["count": "\(deleted)"])
            }
            let forgotten = try await store.deleteQuarantined(keptBefore: now.addingTimeInterval(-retention))
            if forgotten > 0 {
                logger.info("deleted quarantined reports past the retention period", metadata: ["count": "\(forgotten)"])
            }
        } catch {
            logger.error("cannot delete messages past the retention period", metadata: ["error": "\(error)"])
        }
    }
}

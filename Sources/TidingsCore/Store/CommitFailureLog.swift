import Logging
import Synchronization

/// Reports batches that did not commit without flooding the log: a store that fails every
/// commit at once — a full disk, a pooler in the way — fails hundreds of batches a second.
///
/// The first failure after commits went well is logged in full, and then at most one
/// failure each ``interval``, with how many batches failed since the line before. The first
/// commit that succeeds after failures says so in one line, with how many batches and
/// callbacks were refused in all.
final class CommitFailureLog: Sendable {
    /// The shortest time between two lines about failed commits.
    let interval: Duration
    private let storeName: String
    private let logger: Logger
    private let clock: ServiceClock

    /// Failed commits since the last one that succeeded.
    private struct Outage {
        let since: ServiceClock.Instant
        var batches = 0
        var callbacks = 0
        var lastLine: ServiceClock.Instant
        /// Failed batches not yet in a line of the log.
        var batchesSinceLastLine = 0
    }

    private let outage = Mutex<Outage?>(nil)
    /// Whether `outage` holds one, written under its lock: read without the lock on every
    /// successful commit, where a stale answer only moves the "commits again" line to the next.
    private let isFailing = Atomic(false)

    /// - Parameters:
    ///   - storeName: the store in words ("the SQLite store").
    ///   - interval: the shortest time between two lines about failed commits.
    ///   - clock: what tells the time (tests inject a manual one).
    init(storeName: String, logger: Logger, interval: Duration = .seconds(60), clock: ServiceClock = .continuous) {
        self.storeName = storeName
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    /// Counts a batch of `batchSize` callbacks that did not commit, and logs it if it is
    /// the first since commits went well or the last line is ``interval`` old.
    func failed(_ error: any Error, batchSize: Int) {
        let time = clock.now
        // The batches failed since the last line, when this failure gets a line of its own.
        let unreported = outage.withLock { outage -> Int? in
            isFailing.store(true, ordering: .relaxed)
            guard var current = outage else {
                outage = Outage(since: time, batches: 1, callbacks: batchSize, lastLine: time)
                return 0
            }
            current.batches += 1
            current.callbacks += batchSize
            let isDue = time - current.lastLine >= interval
            let unreported = current.batchesSinceLastLine
            if isDue {
                current.lastLine = time
                current.batchesSinceLastLine = 0
            } else {
                current.batchesSinceLastLine += 1
            }
            outage = current
            return isDue ? unreported : nil
        }
        guard let unreported else { return }
        var metadata: Logger.Metadata = ["callbacks": "\(batchSize)", "error": "\(error)"]
        if unreported > 0 { metadata["failedSinceLastLine"] = "\(unreported) batches" }
        logger.error(
            """
            \(storeName) could not commit callbacks; they were not stored and will be refused \
            (further failures in the next \(interval) are counted, not logged)
            """,
            metadata: metadata)
    }

    /// Notes a batch that committed: after failures, logs once that commits succeed again.
    func succeeded() {
        guard isFailing.load(ordering: .relaxed) else { return }
        let ended = outage.withLock { outage -> Outage? in
            isFailing.store(false, ordering: .relaxed)
            defer { outage = nil }
            return outage
        }
        guard let ended else { return }
        logger.notice(
            "\(storeName) commits again",
            metadata: [
                "failedBatches": "\(ended.batches)", "refusedCallbacks": "\(ended.callbacks)",
                "failingFor": "\(clock.now - ended.since)",
            ])
    }
}

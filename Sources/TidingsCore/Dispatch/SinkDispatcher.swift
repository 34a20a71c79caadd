import Foundation
import Logging
import Synchronization

/// Feeds every sink from the durable ``ChangeOutbox``, each sink on its own loop with its
/// own cursor, so a slow, failing or crashed sink never holds up another sink or the
/// acknowledgement of callbacks, and nothing is lost across a crash.
///
/// Each loop reads the changes after its cursor (``DeliveryPolicy/batchSize`` at a time),
/// hands those its ``SinkFilter`` admits to the sink, and only then moves its cursor past
/// the batch: delivery is **at least once** (after a crash, the last batch may be delivered
/// again; ``StatusChange/id`` lets consumers drop repeats).
///
/// A batch that fails is retried with exponential backoff and jitter (see
/// ``DeliveryPolicy/initialBackoff``), a pause the sink's `Retry-After` may lengthen but
/// never shorten. An outage is not the changes' fault: connection errors, timeouts, `429`,
/// `5xx`, a full disk — any error but a permanent ``SinkDeliveryError`` — are retried
/// until the batch's oldest change is older than ``DeliveryPolicy/maximumAge``; only then,
/// or at once when the sink refuses the batch for good (``SinkDeliveryError/isPermanent``),
/// it goes to the dead letters (see ``replayDeadLetters(of:)``) and the loop goes on.
/// Pauses wait for time only (or for ``finish()``): new changes arriving
/// (``notify()``) wake an idle loop, never one that is waiting to retry, so steady traffic
/// cannot make a failing batch use its retries up early. Changes every sink has taken are
/// pruned from the outbox now and then.
///
/// Every wait, and every age and time it records, follows the ``ServiceClock`` it is given,
/// so tests step time instead of sleeping.
///
/// Several dispatchers — one per Tidings instance — may share one outbox (PostgreSQL
/// behind a load balancer). A loop feeds its sink only while its instance holds the sink's
/// lease (``SinkLeasing/acquireLease(of:for:duration:)``), renewing it as it goes, so each
/// change reaches each sink once, not once per instance; the other instances stand by and
/// one of them takes over within ``DeliveryPolicy/leaseDuration`` when the holder stops.
public final class SinkDispatcher: Sendable {
    private final class Lane: Sendable {
        let route: SinkRoute
        /// Ends an idle loop's wait for changes: new changes were stored, a replay was asked
        /// for, or the dispatcher finishes.
        let wakeUp = WakeUpSignal()
        /// Ends the pauses of the loop — before retrying a batch, after an error of the
        /// store, standing by for the lease — only when the dispatcher finishes: a pause
        /// waits for time, not for new changes, which would otherwise cut it short.
        let pause = WakeUpSignal()
        /// Until when this instance surely holds the sink's lease; nil when it does not.
        let leaseHeldUntil = Mutex<ServiceClock.Instant?>(nil)
        var name: String { route.sink.name }

        init(route: SinkRoute) {
            self.route = route
        }
    }

    /// How one offer of a batch ended.
    private enum Delivery {
        /// The sink took it, or it went to the dead letters: the cursor may move past it.
        case done
        /// Another instance now feeds the sink; the batch is its to deliver.
        case leaseLost
        /// The dispatcher is finishing; the batch stays in the outbox.
        case finishing
    }

    private struct Failure: Sendable {
        let message: String
        let at: Date
    }

    private let outbox: any ChangeOutbox & SinkLeasing
    private let lanes: [Lane]
    private let policy: DeliveryPolicy
    private let logger: Logger
    /// What every wait, age and timestamp of the dispatcher follows.
    private let clock: ServiceClock
    private let finishing = Atomic<Bool>(false)
    private let failures = Mutex<[String: Failure]>([:])
    /// How often delivered changes are pruned from the outbox.
    private let pruneInterval: Duration
    private let pruneWakeUp = WakeUpSignal()
    /// How long a change stays in the outbox after every sink took it, for live streams
    /// and replays that go back in time.
    private let outboxRetention: Duration
    /// `(latest seq, when)` seen at each pruning round, oldest first: what may go once
    /// ``outboxRetention`` has passed.
    private let checkpoints = Mutex<[(seq: Int64, at: ServiceClock.Instant)]>([])
    /// Wakes live readers of the outbox (`GET /v1/events`) when changes are stored.
    public let changes = ChangeNotifier()
    /// Names this dispatcher's instance as the holder of sink leases.
    public let instance: String

    /// Creates a dispatcher; call ``run()`` to start it.
    ///
    /// - Parameter clock: What the pauses wait on and what the ages of changes, the times of
    ///   failures and dead letters, and the lag in ``status()`` are measured with: the
    ///   system's clocks by default; tests pass a manual clock and step time.
    /// - Precondition: sink names are unique (each names a cursor).
    public init(
        outbox: any ChangeOutbox & SinkLeasing, routes: [SinkRoute], policy: DeliveryPolicy = DeliveryPolicy(),
        logger: Logger, pruneInterval: Duration = .seconds(60), outboxRetention: Duration = .seconds(3600),
        instance: String = SinkDispatcher.uniqueInstanceName(), clock: ServiceClock = .continuous
    ) {
        precondition(Set(routes.map(\.sink.name)).count == routes.count, "sink names must be unique")
        self.outbox = outbox
        self.lanes = routes.map { Lane(route: $0) }
        self.policy = policy
        self.logger = logger
        self.pruneInterval = pruneInterval
        self.outboxRetention = outboxRetention
        self.instance = instance
        self.clock = clock
    }

    /// `host-pid-random`: a name no other running instance has, and that says where it runs.
    public static func uniqueInstanceName() -> String {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }

    /// The names of the sinks, in configuration order.
    public var sinkNames: [String] { lanes.map(\.name) }

    /// Starts a cursor for every sink never seen before (see ``ChangeOutbox/registerSink(_:)``).
    /// Call it before the server takes callbacks, so a new sink starts exactly where the
    /// outbox stands.
    public func registerSinks() async throws {
        for lane in lanes { try await outbox.registerSink(lane.name) }
    }

    /// Says that new changes were stored: idle sinks look at once instead of at their next poll.
    public func notify() {
        for lane in lanes { lane.wakeUp.signal() }
        changes.notifyAll()
    }

    /// Asks every loop to stop after its current attempt; ``run()`` then returns. What was
    /// not delivered stays in the outbox for the next start.
    public func finish() {
        finishing.store(true, ordering: .relaxed)
        notify()
        for lane in lanes { lane.pause.signal() }
        pruneWakeUp.signal()
    }

    /// Whether the loops should stop: after ``finish()``, or when the task running them
    /// was cancelled (then every wait returns at once, and a loop must not spin).
    private var isFinishing: Bool { finishing.load(ordering: .relaxed) || Task.isCancelled }

    /// Delivers until ``finish()`` is called, then shuts the sinks down.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask { await self.feed(lane) }
            }
            group.addTask { await self.pruneUntilFinished() }
        }
        for lane in lanes {
            do {
                try await lane.route.sink.shutdown()
            } catch {
                logger.warning("sink did not shut down cleanly", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
            }
        }
    }

    /// How far behind each sink is.
    public func status() async throws -> [SinkStatus] {
        let latest = try await outbox.latestSeq()
        var statuses: [SinkStatus] = []
        for lane in lanes {
            let cursor = try await outbox.cursor(of: lane.name)
            let oldest = try await outbox.changes(after: cursor, limit: 1).first
            let failure = failures.withLock { $0[lane.name] }
            statuses.append(SinkStatus(
                name: lane.name, cursor: cursor, latestSeq: latest,
                lagSeconds: oldest.map { max(clock.wallTime.timeIntervalSince($0.receivedAt), 0) } ?? 0,
                lastError: failure?.message, lastErrorAt: failure?.at,
                deadLetters: try await outbox.deadLetterCount(of: lane.name)))
        }
        return statuses
    }

    /// Moves a sink's cursor so that it receives again every change stored after `seq`
    /// (those still in the outbox).
    public func replay(_ sink: String, after seq: Int64) async throws {
        let lane = try lane(named: sink)
        try await outbox.resetCursor(of: sink, to: seq)
        lane.wakeUp.signal()
    }

    /// Offers a sink its dead letters again, oldest first, one attempt per batch; those
    /// delivered are removed. Returns how many were delivered.
    ///
    /// - Throws: the sink's error for the first batch it still refuses.
    public func replayDeadLetters(of sink: String) async throws -> Int {
        let lane = try lane(named: sink)
        var delivered = 0
        while true {
            let letters = try await outbox.deadLetters(of: sink, limit: policy.batchSize)
            guard !letters.isEmpty else { return delivered }
            let changes = letters.map(\.change)
            try await lane.route.sink.deliver(changes)
            try await outbox.removeDeadLetters(of: sink, ids: changes.map(\.id))
            delivered += changes.count
        }
    }

    private func lane(named name: String) throws -> Lane {
        guard let lane = lanes.first(where: { $0.name == name }) else {
            throw UnknownSinkError(name: name, known: sinkNames)
        }
        return lane
    }

    // MARK: The loops

    /// Feeds `lane`'s sink until the dispatcher finishes, then gives its lease up.
    private func feed(_ lane: Lane) async {
        await deliverUntilFinished(lane)
        await releaseLease(of: lane)
    }

    private func deliverUntilFinished(_ lane: Lane) async {
        while !isFinishing {
            do {
                try await outbox.registerSink(lane.name)
                break
            } catch {
                logger.error("sink cannot register with the store; retrying", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
                await lane.pause.wait(upTo: policy.pollInterval, on: clock)
            }
        }
        while !isFinishing {
            guard await holdsLease(lane) else {
                await lane.pause.wait(upTo: policy.leaseRetryInterval, on: clock)
                continue
            }
            do {
                let cursor = try await outbox.cursor(of: lane.name)
                let batch = try await outbox.changes(after: cursor, limit: policy.batchSize)
                guard let last = batch.last?.seq else {
                    await lane.wakeUp.wait(upTo: policy.pollInterval, on: clock)
                    continue
                }
                let wanted = batch.filter(lane.route.filter.admits)
                if !wanted.isEmpty {
                    switch await deliver(wanted, through: lane) {
                    case .done: break
                    case .leaseLost: continue
                    case .finishing: return
                    }
                }
                try await outbox.advanceCursor(of: lane.name, to: last)
            } catch {
                logger.error("sink cannot read the outbox; retrying", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
                await lane.pause.wait(upTo: policy.pollInterval, on: clock)
            }
        }
    }

    // MARK: The lease

    /// Whether this instance may feed `lane`'s sink now: true while the lease taken earlier
    /// has more than half of ``DeliveryPolicy/leaseDuration`` left, otherwise after taking
    /// or renewing it in the store.
    private func holdsLease(_ lane: Lane) async -> Bool {
        let asked = clock.now
        let heldUntil = lane.leaseHeldUntil.withLock { $0 }
        if let heldUntil, heldUntil - asked > policy.leaseDuration / 2 { return true }
        let held: Bool
        do {
            held = try await outbox.acquireLease(of: lane.name, for: instance, duration: policy.leaseDuration)
        } catch {
            logger.error("sink cannot take its lease in the store; retrying", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
            held = false
        }
        // Counted from before the request, so this instance never believes it holds the
        // lease longer than the store does.
        lane.leaseHeldUntil.withLock { $0 = held ? asked + policy.leaseDuration : nil }
        if held != (heldUntil != nil) {
            logger.info(
                held ? "this instance now feeds the sink" : "another instance feeds the sink; standing by",
                metadata: ["sink": "\(lane.name)", "instance": "\(instance)"])
        }
        return held
    }

    /// Gives the lease of `lane`'s sink up, so another instance takes over at once.
    private func releaseLease(of lane: Lane) async {
        guard lane.leaseHeldUntil.withLock({ $0 }) != nil else { return }
        do {
            try await outbox.releaseLease(of: lane.name, by: instance)
        } catch {
            logger.warning("cannot release the lease of the sink", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
        }
        lane.leaseHeldUntil.withLock { $0 = nil }
    }

    // MARK: Delivery

    /// Delivers `batch` or puts it in the dead letters, retrying while this instance holds
    /// the sink's lease: a permanent refusal is buried at once, any other failure is
    /// retried until the batch is older than ``DeliveryPolicy/maximumAge``.
    private func deliver(_ batch: [StatusChange], through lane: Lane) async -> Delivery {
        var attempt = 1
        while true {
            do {
                try await lane.route.sink.deliver(batch)
                failures.withLock { _ = $0.removeValue(forKey: lane.name) }
                return .done
            } catch {
                let failure = error as? SinkDeliveryError
                let now = clock.wallTime
                failures.withLock { $0[lane.name] = Failure(message: "\(error)", at: now) }
                let age = now.timeIntervalSince(batch[0].receivedAt)
                let tooOld = Duration.seconds(age) > policy.maximumAge
                if failure?.isPermanent == true || tooOld {
                    return await bury(batch, from: lane, reason: "\(error)", attempts: attempt)
                }
                let pause = max(jittered(policy.backoff(afterAttempt: attempt)), failure?.retryAfter ?? .zero)
                logger.warning(
                    "sink delivery failed; will retry",
                    metadata: [
                        "sink": "\(lane.name)", "attempt": "\(attempt)", "changes": "\(batch.count)",
                        "retryIn": "\(pause)", "error": "\(error)",
                    ])
                // Not lane.wakeUp: under traffic, every new change would end the pause.
                await lane.pause.wait(upTo: pause, on: clock)
                if isFinishing { return .finishing }
                guard await holdsLease(lane) else { return .leaseLost }
                attempt += 1
            }
        }
    }

    /// Moves `batch` to the dead letters, unless the dispatcher finishes first (the batch
    /// then stays in the outbox).
    private func bury(_ batch: [StatusChange], from lane: Lane, reason: String, attempts: Int) async -> Delivery {
        logger.error(
            "sink gave up on changes; they are kept as dead letters for `tidings replay --dead-letters`",
            metadata: ["sink": "\(lane.name)", "changes": "\(batch.count)", "attempts": "\(attempts)", "error": "\(reason)"])
        while true {
            do {
                try await outbox.addDeadLetters(batch, sink: lane.name, reason: reason, at: clock.wallTime)
                return .done
            } catch {
                logger.error("cannot store dead letters; retrying", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
                await lane.pause.wait(upTo: policy.pollInterval, on: clock)
                if isFinishing { return .finishing }
            }
        }
    }

    private func jittered(_ pause: Duration) -> Duration {
        pause + pause * Double.random(in: 0...0.5)
    }

    /// Deletes what every sink took and is older than ``outboxRetention``: up to the latest
    /// seq seen at the newest checkpoint that is that old, and never past a sink's cursor.
    private func prune() async throws {
        let now = clock.now
        let latest = try await outbox.latestSeq()
        let floor = checkpoints.withLock { checkpoints -> Int64? in
            checkpoints.append((latest, now))
            let expired = checkpoints.lastIndex { now - $0.at >= outboxRetention }
            guard let expired else { return nil }
            let seq = checkpoints[expired].seq
            checkpoints.removeFirst(expired + 1)
            return seq
        }
        guard var floor else { return }
        for lane in lanes { floor = min(floor, try await outbox.cursor(of: lane.name)) }
        try await outbox.pruneChanges(through: floor)
    }

    private func pruneUntilFinished() async {
        while !isFinishing {
            await pruneWakeUp.wait(upTo: pruneInterval, on: clock)
            do {
                try await prune()
            } catch {
                logger.warning("cannot prune the outbox", metadata: ["error": "\(error)"])
            }
        }
    }
}

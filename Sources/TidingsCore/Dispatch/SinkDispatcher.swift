import Foundation
import Logging
import Synchronization
import Tracing

/// Feeds every sink from the durable ``ChangeOutbox``, each sink on its own loop with its
/// own cursor, so a slow, failing or crashed sink never holds up another sink or the
/// acknowledgement of callbacks, and nothing is lost across a crash.
///
/// Changes travel in memory first: the store hands each commit's changes to ``accept(_:)``
/// (``StatusStore/observeChanges(_:)``), and a loop takes them from there. It reads the
/// outbox only to catch up — at start, after taking a sink's lease over, when a sink fell
/// behind by more than memory keeps, or for changes another instance stored.
///
/// Each loop takes the changes after its cursor (``DeliveryPolicy/batchSize`` at a time),
/// hands those its ``SinkFilter`` admits to the sink, and only then moves its cursor past
/// the batch. The cursor is written to the store at most once per
/// ``DeliveryPolicy/cursorSaveInterval``, so a delivered batch costs no commit of its own.
/// Delivery is **at least once**: after a crash, what the sinks took since the cursor was
/// last written is delivered again; ``StatusChange/id`` lets consumers drop repeats.
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
    private let lanes: [SinkLane]
    private let policy: DeliveryPolicy
    private let logger: Logger
    /// What every wait, age and timestamp of the dispatcher follows.
    private let clock: ServiceClock
    private let finishing = Atomic<Bool>(false)
    private let failures = Mutex<[String: Failure]>([:])
    /// How often delivered changes are pruned from the outbox.
    private let pruneInterval: Duration
    private let pruneWakeUp = WakeUpSignal()
    /// Ends the ticker's wait when the dispatcher finishes.
    private let tickerWakeUp = WakeUpSignal()
    /// How long a change stays in the outbox after every sink took it, for live streams
    /// and replays that go back in time.
    private let outboxRetention: Duration
    /// `(latest seq, when)` seen at each pruning round, oldest first: what may go once
    /// ``outboxRetention`` has passed.
    private let checkpoints = Mutex<[(seq: Int64, at: ServiceClock.Instant)]>([])
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
        self.lanes = routes.map { SinkLane(route: $0, batchSize: policy.batchSize, handOverCapacity: max(policy.batchSize * 50, 1_000)) }
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

    /// How many sinks' loops wait for changes now, idle (they wait for a tick or a
    /// hand-over, not on the clock): with the clock's sleepers, what tells a test on a
    /// manual clock that the dispatcher is at rest.
    var idleLanes: Int { lanes.count { $0.wakeUp.hasWaiter } }

    /// The names of the sinks, in configuration order.
    public var sinkNames: [String] { lanes.map(\.name) }

    /// Starts a cursor for every sink never seen before (see ``ChangeOutbox/registerSink(_:)``).
    /// Call it before the server takes callbacks, so a new sink starts exactly where the
    /// outbox stands.
    public func registerSinks() async throws {
        for lane in lanes { try await outbox.registerSink(lane.name) }
    }

    /// Hands over the changes of one commit, in `seq` order, for the sinks to take from
    /// memory; none says that changes were stored that must be read from the outbox (by
    /// another instance). Idle sinks look at once.
    ///
    /// Call it after the commit, and for the commits of one store in the order they
    /// committed: ``StatusStore/observeChanges(_:)`` does both.
    public func accept(_ changes: [StatusChange]) {
        for lane in lanes { lane.accept(changes) }
    }

    /// Says that changes were stored that only the outbox has: idle sinks read it at once
    /// instead of at their next poll (``accept(_:)`` with none).
    public func notify() {
        accept([])
    }

    /// Asks every loop to stop after its current attempt; ``run()`` then returns. What was
    /// not delivered stays in the outbox for the next start.
    public func finish() {
        finishing.store(true, ordering: .relaxed)
        notify()
        for lane in lanes {
            lane.pause.signal()
            lane.batchFilled.signal()
        }
        pruneWakeUp.signal()
        tickerWakeUp.signal()
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
            group.addTask { await self.tickUntilFinished() }
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
            let cursor: Int64
            if let known = lane.cursor {
                cursor = known
            } else {
                cursor = try await outbox.cursor(of: lane.name)
            }
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
        lane.reset(to: seq)
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

    private func lane(named name: String) throws -> SinkLane {
        guard let lane = lanes.first(where: { $0.name == name }) else {
            throw UnknownSinkError(name: name, known: sinkNames)
        }
        return lane
    }

    // MARK: The loops

    /// Feeds `lane`'s sink until the dispatcher finishes, hands it what a gather window was
    /// still waiting on, then writes its cursor and gives its lease up.
    private func feed(_ lane: SinkLane) async {
        await deliverUntilFinished(lane)
        if lane.leaseHeldUntil.withLock({ $0 }) != nil {
            await deliverHandedOver(lane)
            do {
                try await saveCursor(of: lane, always: true)
            } catch {
                logger.warning(
                    "cannot write the sink's cursor; what it took since the last write will be delivered again",
                    metadata: ["sink": "\(lane.name)", "error": "\(error)"])
            }
        }
        await releaseLease(of: lane)
    }

    private func deliverUntilFinished(_ lane: SinkLane) async {
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
                lane.forgetCursor()
                await lane.pause.wait(upTo: policy.leaseRetryInterval, on: clock)
                continue
            }
            do {
                let cursor: Int64
                if let known = lane.cursor {
                    cursor = known
                } else {
                    cursor = try await outbox.cursor(of: lane.name)
                    lane.loaded(cursor)
                }
                let resets = lane.resets
                guard let batch = try await lane.nextBatch(after: cursor, limit: policy.batchSize, from: outbox),
                    let last = batch.last?.seq
                else {
                    try await saveCursor(of: lane, always: false)
                    await waitForChanges(lane)
                    continue
                }
                let wanted = batch.filter(lane.route.filter.admits)
                if !wanted.isEmpty {
                    switch await deliver(wanted, through: lane) {
                    case .done: break
                    case .leaseLost:
                        lane.forgetCursor()
                        continue
                    case .finishing: return
                    }
                }
                lane.advance(to: last, unlessResetSince: resets)
                try await saveCursor(of: lane, always: false)
            } catch {
                logger.error(
                    "sink cannot read the outbox or write its cursor; retrying",
                    metadata: ["sink": "\(lane.name)", "error": "\(error)"])
                await lane.pause.wait(upTo: policy.pollInterval, on: clock)
            }
        }
    }

    /// When the dispatcher finishes: offers the sink, one attempt a batch, the changes handed
    /// over in memory after its cursor — those committed in the last moments, which a gather
    /// window was still waiting on — so that a clean stop does not leave them for the next
    /// start. A sink that is failing is not asked; a failure leaves the rest in the outbox,
    /// as a crash would.
    private func deliverHandedOver(_ lane: SinkLane) async {
        guard failures.withLock({ $0[lane.name] }) == nil else { return }
        while let cursor = lane.cursor, let batch = lane.takeHandedOver(after: cursor, limit: policy.batchSize),
            let last = batch.last?.seq
        {
            let resets = lane.resets
            let wanted = batch.filter(lane.route.filter.admits)
            do {
                if !wanted.isEmpty { try await deliverInSpan(wanted, through: lane, attempt: 1) }
            } catch {
                logger.warning(
                    "sink did not take the last changes before stopping; it gets them at the next start",
                    metadata: ["sink": "\(lane.name)", "changes": "\(wanted.count)", "error": "\(error)"])
                return
            }
            lane.advance(to: last, unlessResetSince: resets)
        }
    }

    /// Waits for changes: until new ones are handed over or stored elsewhere, or the next
    /// tick (``tickUntilFinished()``), when the moved cursor may be due to be written and an
    /// idle lane reads the outbox anyway, in case a wake-up was missed. When fewer changes
    /// than a batch were handed over, it then waits ``DeliveryPolicy/gatherWindow`` for
    /// more, or until a whole batch is waiting.
    private func waitForChanges(_ lane: SinkLane) async {
        await lane.wakeUp.wait()
        lane.tookTick()
        if policy.gatherWindow > .zero, lane.holdsPartialBatch {
            await lane.batchFilled.wait(upTo: policy.gatherWindow, on: clock)
        }
    }

    /// Ticks every lane (``SinkLane/tick()``) once per poll interval, or per cursor-save
    /// interval if that is shorter, until the dispatcher finishes: one timer for every
    /// lane, rather than one for each of their waits.
    private func tickUntilFinished() async {
        let interval = min(policy.pollInterval, policy.cursorSaveInterval)
        var next = clock.now
        while !isFinishing {
            // At fixed instants, so that a wait that starts late ends on time; after a
            // pause longer than an interval, one tick, not one for each interval missed.
            next = max(next.advanced(by: interval), clock.now)
            await tickerWakeUp.wait(until: next, on: clock)
            for lane in lanes { lane.tick() }
        }
    }

    /// Writes `lane`'s cursor to the store when it moved and, unless `always`, the last
    /// write is ``DeliveryPolicy/cursorSaveInterval`` old. A cursor found further back in
    /// the store than this instance left it was replayed by another instance: it is taken
    /// as it is, and the sink gets the changes again from there.
    private func saveCursor(of lane: SinkLane, always: Bool) async throws {
        let now = clock.now
        guard let (cursor, saved) = lane.cursorToSave(at: now, every: policy.cursorSaveInterval, always: always) else {
            return
        }
        let stored = try await outbox.cursor(of: lane.name)
        if stored < saved {
            lane.reset(to: stored)
            return
        }
        try await outbox.advanceCursor(of: lane.name, to: cursor)
        lane.saved(cursor, at: now)
    }

    // MARK: The lease

    /// Whether this instance may feed `lane`'s sink now: true while the lease taken earlier
    /// has more than half of ``DeliveryPolicy/leaseDuration`` left, otherwise after taking
    /// or renewing it in the store.
    private func holdsLease(_ lane: SinkLane) async -> Bool {
        let asked = clock.now
        let heldUntil = lane.leaseHeldUntil.withLock { $0 }
        if let heldUntil, heldUntil - asked > policy.leaseDuration / 2 { return true }
        let held: Bool
        var storeFailed = false
        do {
            held = try await outbox.acquireLease(of: lane.name, for: instance, duration: policy.leaseDuration)
        } catch {
            logger.error("sink cannot take its lease in the store; retrying", metadata: ["sink": "\(lane.name)", "error": "\(error)"])
            held = false
            storeFailed = true
        }
        // Counted from before the request, so this instance never believes it holds the
        // lease longer than the store does.
        lane.leaseHeldUntil.withLock { $0 = held ? asked + policy.leaseDuration : nil }
        if held != (heldUntil != nil) {
            let news = if held {
                "this instance now feeds the sink"
            } else if storeFailed {
                "this instance stops feeding the sink until the store renews its lease"
            } else {
                "another instance feeds the sink; standing by"
            }
            logger.info("\(news)", metadata: ["sink": "\(lane.name)", "instance": "\(instance)"])
        }
        return held
    }

    /// Gives the lease of `lane`'s sink up, so another instance takes over at once.
    private func releaseLease(of lane: SinkLane) async {
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
    private func deliver(_ batch: [StatusChange], through lane: SinkLane) async -> Delivery {
        var attempt = 1
        while true {
            do {
                try await deliverInSpan(batch, through: lane, attempt: attempt)
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

    /// One attempt at `batch`, as a `sink delivery` span: a root span of its own trace, which
    /// a webhook sink's request carries on as its `traceparent`.
    private func deliverInSpan(_ batch: [StatusChange], through lane: SinkLane, attempt: Int) async throws {
        try await withSpan("sink delivery", context: .topLevel, ofKind: .producer) { span in
            span.attributes[SpanAttributeName.sinkName] = lane.name
            span.attributes[SpanAttributeName.sinkBatchSize] = batch.count
            span.attributes[SpanAttributeName.sinkAttempt] = attempt
            span.attributes[SpanAttributeName.sinkFirstSeq] = batch.first?.seq.map(Int.init)
            span.attributes[SpanAttributeName.sinkLastSeq] = batch.last?.seq.map(Int.init)
            do {
                try await lane.route.sink.deliver(batch)
                span.attributes[SpanAttributeName.outcome] = "delivered"
            } catch {
                span.attributes[SpanAttributeName.outcome] = "failed"
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
                throw error
            }
        }
    }

    /// Moves `batch` to the dead letters, unless the dispatcher finishes first (the batch
    /// then stays in the outbox).
    private func bury(_ batch: [StatusChange], from lane: SinkLane, reason: String, attempts: Int) async -> Delivery {
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

import Synchronization

/// One sink's loop in a ``SinkDispatcher``: what the loop and the dispatcher's callers
/// share — its wake-ups, its lease, the changes handed over in memory, and its cursor.
///
/// While this instance feeds the sink, the cursor lives here and is written to the store at
/// most once per ``DeliveryPolicy/cursorSaveInterval`` (and when the loop stops), not after
/// every batch: after a crash the sink gets again what it took since the last write, which
/// at-least-once delivery allows and ``StatusChange/id`` lets consumers drop.
final class SinkLane: HandOverReading {
    let route: SinkRoute
    /// Ends an idle loop's wait for changes: changes were handed over or stored elsewhere, a
    /// replay was asked for, a poll interval passed (``tick()``), or the dispatcher finishes.
    let wakeUp = WakeUpSignal()
    /// Ends the pauses of the loop — before retrying a batch, after an error of the store,
    /// standing by for the lease — only when the dispatcher finishes: a pause waits for
    /// time, not for new changes, which would otherwise cut it short.
    let pause = WakeUpSignal()
    /// Ends the loop's wait for more changes (``DeliveryPolicy/gatherWindow``) early: a
    /// whole batch was handed over, or the dispatcher finishes.
    let batchFilled = WakeUpSignal()
    /// Until when this instance surely holds the sink's lease; nil when it does not.
    let leaseHeldUntil = Mutex<ServiceClock.Instant?>(nil)
    var name: String { route.sink.name }

    private struct State {
        var handedOver: HandedOverChanges
        /// Where the sink stands while this instance feeds it; nil until read from the store.
        var cursor: Int64?
        /// The cursor as last read from or written to the store, and when it was written.
        var savedCursor: Int64?
        var savedAt: ServiceClock.Instant?
        /// Counts replays, so that a batch delivered across one does not move the cursor
        /// past the point the replay set.
        var resets = 0
        /// Whether changes were handed over since the last ``tick()``.
        var acceptedSinceTick = false
        /// Whether a tick came after a poll interval without changes handed over: the loop
        /// reads the outbox when it next waits (``tookTick()``).
        var idleTick = false
    }

    private let state: Mutex<State>

    /// The most changes the sink takes in one batch.
    let batchSize: Int

    init(route: SinkRoute, batchSize: Int, handOverCapacity: Int) {
        self.route = route
        self.batchSize = batchSize
        self.state = Mutex(State(handedOver: HandedOverChanges(capacity: handOverCapacity)))
    }

    // MARK: Changes

    /// Hands over the changes of one commit (none: changes only the outbox has) and wakes
    /// the loop, or ends its wait for more once a whole batch is waiting.
    func accept(_ changes: [StatusChange]) {
        let filled = state.withLock { state in
            state.handedOver.append(changes)
            state.acceptedSinceTick = true
            return state.handedOver.pending >= batchSize
        }
        wakeUp.signal()
        if filled { batchFilled.signal() }
    }

    /// A poll interval passed (the dispatcher's one ticker for every lane, instead of a
    /// timer for every wait): wakes the loop, which writes its cursor if that is due and,
    /// if nothing was handed over since the previous tick, reads the outbox anyway
    /// (``tookTick()``).
    func tick() {
        state.withLock { state in
            if !state.acceptedSinceTick { state.idleTick = true }
            state.acceptedSinceTick = false
        }
        wakeUp.signal()
    }

    /// Called by the loop after each wait for changes: a tick that found the lane idle
    /// makes it look at the outbox (``pollOutbox()``).
    func tookTick() {
        let idle = state.withLock { state in
            defer { state.idleTick = false }
            return state.idleTick
        }
        if idle { pollOutbox() }
    }

    /// The next changes after `cursor` from memory; nil when the outbox must be read.
    func takeHandedOver(after cursor: Int64, limit: Int) -> [StatusChange]? {
        state.withLock { $0.handedOver.take(after: cursor, limit: limit) }
    }

    /// Whether changes handed over in memory wait for the loop, but fewer than a batch: the
    /// loop may wait for more (``DeliveryPolicy/gatherWindow``).
    var holdsPartialBatch: Bool {
        state.withLock { (1..<batchSize).contains($0.handedOver.pending) }
    }

    /// Whether the outbox may hold changes that memory lacks, and the generation to pass to
    /// ``caughtUp(at:)`` after reading it.
    var outbox: (mayHoldMore: Bool, generation: Int) {
        state.withLock { ($0.handedOver.outboxMayHoldMore, $0.handedOver.outboxGeneration) }
    }

    /// A read of the outbox that started at `generation` reached its end.
    func caughtUp(at generation: Int) {
        state.withLock { $0.handedOver.caughtUp(at: generation) }
    }

    /// A whole poll interval passed without changes handed over: look at the outbox anyway,
    /// and read the cursor from the store again unless it moved since it was written (a
    /// replay on another instance may have set it back).
    func pollOutbox() {
        state.withLock { state in
            state.handedOver.append([])
            if state.cursor == state.savedCursor {
                state.cursor = nil
                state.savedCursor = nil
            }
        }
    }

    // MARK: The cursor

    /// The cursor while this instance feeds the sink; nil when it must be read from the store.
    var cursor: Int64? { state.withLock { $0.cursor } }

    /// How many replays there have been, to pass to ``advance(to:unlessResetSince:)``.
    var resets: Int { state.withLock { $0.resets } }

    /// The cursor as read from the store, when this instance starts feeding the sink: it
    /// catches up from the outbox.
    func loaded(_ cursor: Int64) {
        state.withLock { state in
            state.cursor = cursor
            state.savedCursor = cursor
            state.handedOver.append([])
        }
    }

    /// The sink took everything up to `seq`: unless a replay came since `resets` was read.
    func advance(to seq: Int64, unlessResetSince resets: Int) {
        state.withLock { state in
            guard state.resets == resets, let cursor = state.cursor else { return }
            state.cursor = max(cursor, seq)
        }
    }

    /// A replay set the sink's cursor to `seq` in the store: the changes after it are read
    /// from the outbox again.
    func reset(to seq: Int64) {
        state.withLock { state in
            state.resets += 1
            state.handedOver.append([])
            guard state.cursor != nil else { return }
            state.cursor = seq
            state.savedCursor = seq
        }
    }

    /// This instance no longer feeds the sink: the next holder reads the cursor from the store.
    func forgetCursor() {
        state.withLock { state in
            state.cursor = nil
            state.savedCursor = nil
            state.savedAt = nil
        }
    }

    /// The cursor to write to the store now, with the cursor last saved: when it moved
    /// since, and (unless `always`) `interval` has passed since the last write.
    func cursorToSave(at now: ServiceClock.Instant, every interval: Duration, always: Bool) -> (cursor: Int64, saved: Int64)? {
        state.withLock { state in
            guard let cursor = state.cursor, let saved = state.savedCursor, cursor != saved else { return nil }
            if !always, let savedAt = state.savedAt, now - savedAt < interval { return nil }
            return (cursor, saved)
        }
    }

    /// `cursor` was written to the store at `now`.
    func saved(_ cursor: Int64, at now: ServiceClock.Instant) {
        state.withLock { state in
            state.savedCursor = cursor
            state.savedAt = now
        }
    }
}

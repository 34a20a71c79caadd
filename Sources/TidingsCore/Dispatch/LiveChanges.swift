import Foundation
import Synchronization

/// Hands the changes of every commit to the live readers now open (`GET /v1/events`), in
/// memory, as ``SinkDispatcher/accept(_:)`` hands them to the sinks: a stream reads the
/// outbox only to catch up — when it starts, after changes another instance stored, or
/// when it fell more than its reader holds behind.
public final class LiveChanges: Sendable {
    private let readers = Mutex<[ObjectIdentifier: LiveChangeReader]>([:])
    /// How many changes one reader keeps in memory before it catches up from the outbox.
    private let capacity: Int

    /// - Parameter capacity: how many changes each reader keeps before it reads the outbox.
    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    /// Hands over the changes of one commit, in `seq` order, to every reader; none says that
    /// changes were stored that only the outbox has. Call it as ``SinkDispatcher/accept(_:)``
    /// is called: from ``StatusStore/observeChanges(_:)``.
    public func publish(_ changes: [StatusChange]) {
        for reader in readers.withLock({ Array($0.values) }) { reader.accept(changes) }
    }

    /// Runs `body` with a reader that gets every change published while it runs. A reader
    /// takes from memory only changes that follow its cursor directly, and reads the outbox
    /// for the rest, so a change stored before it opened is not missed either.
    public func withReader<Result>(_ body: (LiveChangeReader) async throws -> Result) async rethrows -> Result {
        let reader = LiveChangeReader(capacity: capacity)
        readers.withLock { $0[ObjectIdentifier(reader)] = reader }
        defer { _ = readers.withLock { $0.removeValue(forKey: ObjectIdentifier(reader)) } }
        return try await body(reader)
    }

    /// How many readers are open.
    public var readerCount: Int { readers.withLock { $0.count } }
}

/// One live stream's share of ``LiveChanges``: the changes handed over since it last took
/// some, and a wake-up for when more come.
public final class LiveChangeReader: HandOverReading {
    private let handedOver: Mutex<HandedOverChanges>
    private let wakeUp = WakeUpSignal()

    init(capacity: Int) {
        handedOver = Mutex(HandedOverChanges(capacity: capacity))
    }

    /// Up to `limit` changes after `cursor`: from memory when they are there, otherwise
    /// from `outbox` when it may hold some (at first, and after changes only it has); empty
    /// when there are none.
    public func changes(after cursor: Int64, limit: Int, from outbox: any ChangeOutbox) async throws -> [StatusChange] {
        try await nextBatch(after: cursor, limit: limit, from: outbox) ?? []
    }

    /// Returns when changes are handed over, after `timeout`, or on cancellation.
    public func wait(upTo timeout: Duration) async {
        await wakeUp.wait(upTo: timeout)
    }

    /// Makes the next ``changes(after:limit:from:)`` read the outbox: a safety net for an
    /// idle stream, as every change should come through ``LiveChanges/publish(_:)``.
    public func pollOutbox() {
        handedOver.withLock { $0.append([]) }
    }

    func accept(_ changes: [StatusChange]) {
        handedOver.withLock { $0.append(changes) }
        wakeUp.signal()
    }

    func takeHandedOver(after cursor: Int64, limit: Int) -> [StatusChange]? {
        handedOver.withLock { $0.take(after: cursor, limit: limit) }
    }

    var outbox: (mayHoldMore: Bool, generation: Int) {
        handedOver.withLock { ($0.outboxMayHoldMore, $0.outboxGeneration) }
    }

    func caughtUp(at generation: Int) {
        handedOver.withLock { $0.caughtUp(at: generation) }
    }
}

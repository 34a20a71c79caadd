import Foundation
import Synchronization
@testable import TidingsCore

/// An outbox that counts the reads of changes and the cursor writes a dispatcher makes,
/// and passes every call on to a memory store — except lease requests while
/// ``leasesFail`` is set, which fail as a store that is down does.
final class CountingOutbox: ChangeOutbox, SinkLeasing {
    let store: InMemoryStatusStore
    private let counts = Mutex<(changeReads: Int, cursorWrites: Int)>((0, 0))
    /// Whether lease requests fail.
    let leasesFail = Atomic(false)

    init(_ store: InMemoryStatusStore) {
        self.store = store
    }

    /// How many times changes were read back from the outbox.
    var changeReads: Int { counts.withLock { $0.changeReads } }
    /// How many times a cursor was written.
    var cursorWrites: Int { counts.withLock { $0.cursorWrites } }

    func changes(after seq: Int64, limit: Int) async throws -> [StatusChange] {
        counts.withLock { $0.changeReads += 1 }
        return await store.changes(after: seq, limit: limit)
    }

    func advanceCursor(of sink: String, to seq: Int64) async throws {
        counts.withLock { $0.cursorWrites += 1 }
        await store.advanceCursor(of: sink, to: seq)
    }

    func latestSeq() async throws -> Int64 { await store.latestSeq() }
    func registerSink(_ sink: String) async throws -> Int64 { await store.registerSink(sink) }
    func cursor(of sink: String) async throws -> Int64 { await store.cursor(of: sink) }
    func resetCursor(of sink: String, to seq: Int64) async throws { await store.resetCursor(of: sink, to: seq) }
    func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws {
        await store.addDeadLetters(changes, sink: sink, reason: reason, at: time)
    }
    func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter] { await store.deadLetters(of: sink, limit: limit) }
    func deadLetterCount(of sink: String) async throws -> Int { await store.deadLetterCount(of: sink) }
    func removeDeadLetters(of sink: String, ids: [String]) async throws { await store.removeDeadLetters(of: sink, ids: ids) }
    func pruneChanges(through seq: Int64) async throws -> Int { await store.pruneChanges(through: seq) }
    func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool {
        if leasesFail.load(ordering: .relaxed) { throw StatusStoreError("the store is down") }
        return await store.acquireLease(of: sink, for: holder, duration: duration)
    }
    func releaseLease(of sink: String, by holder: String) async throws { await store.releaseLease(of: sink, by: holder) }
}

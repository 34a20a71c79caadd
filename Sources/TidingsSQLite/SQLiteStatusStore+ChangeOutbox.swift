import Foundation
import GRDB
import TidingsCore

/// The outbox of the SQLite store: the `outbox`, `sink_cursors` and `dead_letters` tables.
///
/// Changes enter the outbox in the group-commit transaction of their callback (see
/// `CallbackBatch`). Reads go to the pool's reader connections; cursor and dead-letter
/// writes are transactions of their own on the pool's writer connection, which SQLite
/// serializes with the group commits.
extension SQLiteStatusStore {
    /// Up to `limit` changes with a `seq` above `seq`, in `seq` order, read on a reader.
    public func changes(after seq: Int64, limit: Int) async throws -> [StatusChange] {
        try await reading("read the outbox") { db in
            try OutboxTable.changes(after: seq, limit: limit, in: db, decoder: JSONCoding.makeDecoder())
        }
    }

    /// The highest `seq` ever stored, also when every change was pruned since.
    public func latestSeq() async throws -> Int64 {
        try await reading("read the latest outbox seq") { db in try OutboxTable.latestSeq(in: db) }
    }

    /// Starts a cursor at ``latestSeq()`` for a sink never seen before, in one transaction
    /// on the writer, so that no change can be stored between reading the latest `seq`
    /// and starting the cursor; returns the sink's cursor, new or kept.
    @discardableResult
    public func registerSink(_ sink: String) async throws -> Int64 {
        try await writing("register sink \(sink)") { db in
            try SinkCursorsTable.insertIfMissing(sink, at: OutboxTable.latestSeq(in: db), in: db)
        }
    }

    /// The highest `seq` `sink` has taken (0 for a sink never registered).
    public func cursor(of sink: String) async throws -> Int64 {
        try await reading("read the cursor of sink \(sink)") { db in
            try SinkCursorsTable.cursor(of: sink, in: db) ?? 0
        }
    }

    /// Moves the cursor of `sink` up to `seq`; a lower `seq` leaves it where it is.
    public func advanceCursor(of sink: String, to seq: Int64) async throws {
        try await writing("advance the cursor of sink \(sink)") { db in
            try SinkCursorsTable.advance(sink, to: seq, in: db)
        }
    }

    /// Sets the cursor of `sink` to `seq`, back or forth.
    public func resetCursor(of sink: String, to seq: Int64) async throws {
        try await writing("reset the cursor of sink \(sink)") { db in
            try SinkCursorsTable.set(sink, to: seq, in: db)
        }
    }

    /// Keeps `changes` as dead letters of `sink`, all in one transaction. A change already
    /// kept for `sink` stays one dead letter, with the new `reason` and `time`.
    public func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws {
        try await writing("keep dead letters of sink \(sink)") { db in
            try DeadLettersTable.add(
                changes, sink: sink, reason: reason, at: time, in: db)
        }
    }

    /// Up to `limit` dead letters of `sink`, oldest first, read on a reader.
    public func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter] {
        try await reading("read the dead letters of sink \(sink)") { db in
            try DeadLettersTable.deadLetters(of: sink, limit: limit, in: db, decoder: JSONCoding.makeDecoder())
        }
    }

    /// How many dead letters `sink` has.
    public func deadLetterCount(of sink: String) async throws -> Int {
        try await reading("count the dead letters of sink \(sink)") { db in
            try DeadLettersTable.count(of: sink, in: db)
        }
    }

    /// Forgets the dead letters of `sink` whose change has one of `ids`, in one transaction.
    public func removeDeadLetters(of sink: String, ids: [String]) async throws {
        try await writing("remove dead letters of sink \(sink)") { db in
            try DeadLettersTable.remove(of: sink, ids: ids, in: db)
        }
    }

    /// Takes or renews the lease of `sink` for `holder`, in one transaction on the writer;
    /// times are the store's ``clock``, this machine's by default (processes sharing a SQLite
    /// file share a machine).
    public func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool {
        try await writing("take the lease of sink \(sink)") { [clock] db in
            let now = clock.wallTime
            return try SinkLeasesTable.acquire(
                sink, for: holder, now: now, expiresAt: now.addingTimeInterval(duration.timeInterval), in: db)
        }
    }

    /// Ends `holder`'s lease of `sink`, if it holds it.
    public func releaseLease(of sink: String, by holder: String) async throws {
        try await writing("release the lease of sink \(sink)") { db in
            try SinkLeasesTable.release(sink, by: holder, in: db)
        }
    }

    /// Deletes the changes with a `seq` up to `seq`, in one transaction on the writer;
    /// returns how many went. ``latestSeq()`` is not affected.
    @discardableResult
    public func pruneChanges(through seq: Int64) async throws -> Int {
        try await writing("prune the outbox") { db in
            try OutboxTable.deleteChanges(through: seq, in: db)
        }
    }
}

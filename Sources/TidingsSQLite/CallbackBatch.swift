import Foundation
import GRDB
import Logging
import TidingsCore
import TwilioWebhooks

/// One group commit of a ``SQLiteStatusStore``: the callbacks that
/// ``TidingsCore/GroupCommitQueue`` gathered, applied in one write transaction.
///
/// With `synchronous=FULL` every commit waits for the disk to sync the write-ahead log, and
/// that sync, not SQLite's own work, bounds how many transactions a second the disk takes;
/// the queue shares one sync among all the callbacks waiting at a moment.
enum CallbackBatch {
    /// The queue's commit step for `pool`: one write transaction per batch, on the pool's
    /// writer connection. A failure is logged and becomes a `StatusStoreError`.
    static func commit(to pool: DatabasePool, logger: Logger?) -> GroupCommitQueue.Commit {
        { entries in
            do {
                return try await pool.write { db in try apply(entries, in: db) }
            } catch {
                logger?.error(
                    "SQLite store could not commit callbacks; they were not stored and will be refused",
                    metadata: ["callbacks": "\(entries.count)", "error": "\(error)"])
                throw StatusStoreError(
                    "the SQLite store could not commit this callback (\(error)); nothing was stored",
                    underlying: error)
            }
        }
    }

    /// Runs each callback through ``TidingsCore/StatusMachine`` in order, inside the
    /// caller's transaction, appends each change to the outbox and saves every message it
    /// changed.
    ///
    /// Records are read from the database once per batch and then kept in `current`, so a
    /// callback sees every earlier callback of the same batch for its message.
    ///
    /// Changes are numbered in arrival order from the outbox's latest `seq`, read once in
    /// this transaction. The transaction holds SQLite's write lock from its start (GRDB
    /// begins write transactions `IMMEDIATE`), so no other connection, even in another
    /// process, can take a `seq` before the commit. Each change is encoded with its `seq`
    /// and inserted under it, and the outcome returned carries it. Duplicates (no change)
    /// add nothing to the outbox.
    static func apply(_ entries: [GroupCommitQueue.Entry], in db: Database) throws -> [RecordOutcome] {
        let decoder = JSONCoding.makeDecoder()
        var current: [String: MessageRecord] = [:]
        var seq = try OutboxTable.latestSeq(in: db)
        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(entries.count)
        for entry in entries {
            let sid = entry.callback.messageSid
            let stored = try current[sid] ?? MessagesTable.record(sid: sid, in: db, decoder: decoder)
            let outcome = StatusMachine.outcome(of: entry.callback, receivedAt: entry.receivedAt, stored: stored)
            current[sid] = outcome.record
            guard var change = outcome.change else {
                outcomes.append(outcome)
                continue
            }
            seq += 1
            change.seq = seq
            try OutboxTable.append(change, in: db)
            outcomes.append(RecordOutcome(record: outcome.record, change: change))
        }
        for record in current.values {
            try MessagesTable.save(record, in: db)
        }
        return outcomes
    }
}

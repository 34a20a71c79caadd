import Foundation
import GRDB
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
    /// writer connection, run from the queue's own thread (GRDB runs an uncontended
    /// synchronous write on its caller's thread); a failure reaches every caller of the
    /// batch through the queue. The batch's changes go to `observers` once it has committed.
    static func commit(to pool: DatabasePool, observers: ChangeObservers) -> GroupCommitQueue.BlockingCommit {
        { entries in
            try pool.write { db in
                let batch = try apply(entries, in: db)
                db.publishAfterCommit(batch.changes, to: observers)
                return batch.outcomes
            }
        }
    }

    /// Runs the batch through ``TidingsCore/StatusMachine/record(_:numberingAfter:stored:)``
    /// inside the caller's transaction, then appends its changes to the outbox and saves
    /// every message it touched.
    ///
    /// Changes are numbered from the outbox's latest `seq`, read once in this transaction.
    /// The transaction holds SQLite's write lock from its start (GRDB begins write
    /// transactions `IMMEDIATE`), so no other connection, even in another process, can take
    /// a `seq` before the commit.
    static func apply(_ entries: [GroupCommitQueue.Entry], in db: Database) throws -> RecordedBatch {
        let decoder = JSONCoding.makeDecoder()
        let batch = try StatusMachine.record(entries, numberingAfter: try OutboxTable.latestSeq(in: db)) { sid in
            try MessagesTable.record(sid: sid, in: db, decoder: decoder)
        }
        for change in batch.changes {
            try OutboxTable.append(change, in: db)
        }
        for record in batch.records.values {
            try MessagesTable.save(record, in: db)
        }
        return batch
    }
}

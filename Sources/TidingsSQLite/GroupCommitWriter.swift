import Foundation
import GRDB
import Logging
import TidingsCore
import TwilioWebhooks

/// The single writer of a ``SQLiteStatusStore``, committing callbacks in groups.
///
/// With `synchronous=FULL` every commit waits for the disk to sync the write-ahead log, and
/// that sync, not SQLite's own work, bounds how many transactions a second the disk takes.
/// Group commit shares one sync among many callbacks:
///
/// 1. A caller appends its callback to the waiting list and suspends on a continuation.
/// 2. When no transaction is being written, the writer takes every callback waiting at
///    that moment (at most ``maximumBatchSize``), applies them in arrival order inside ONE
///    write transaction — each message's row and each change's outbox row — and commits it.
/// 3. Only after the commit does it resume each caller with its own outcome; if the
///    transaction fails, nothing of the batch is stored and every caller in it gets a
///    `StatusStoreError` (the HTTP layer answers 503 and Twilio retries).
/// 4. Callbacks that arrived while the transaction was written wait for the next one.
///
/// So a lone callback is committed at once — there is no timer and no waiting for a batch
/// to fill — and under load each batch holds what piled up during one commit. The writer
/// runs only while there is work: the task that writes batches ends when the list is empty
/// and the next callback starts a new one.
actor GroupCommitWriter {
    /// The most callbacks committed in one transaction, so that one transaction stays short.
    static let maximumBatchSize = 256

    private struct Job {
        let callback: StatusCallback
        let receivedAt: Date
        let continuation: CheckedContinuation<RecordOutcome, any Error>
    }

    private let pool: DatabasePool
    private let logger: Logger?
    /// Callbacks waiting for a transaction, in arrival order.
    private var waiting: [Job] = []
    /// Whether a task is writing batches (and will pick up anything added to ``waiting``).
    private var isWriting = false
    /// How many transactions have committed: fewer than the callbacks they hold whenever
    /// callbacks arrive together.
    private(set) var committedTransactions = 0

    init(pool: DatabasePool, logger: Logger?) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies `callback` to its message and returns once the result is committed.
    func record(_ callback: StatusCallback, receivedAt: Date) async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Job(callback: callback, receivedAt: receivedAt, continuation: continuation))
            if !isWriting {
                isWriting = true
                Task { await writeWaitingBatches() }
            }
        }
    }

    private func writeWaitingBatches() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.maximumBatchSize))
            waiting.removeFirst(batch.count)
            await commit(batch)
        }
        isWriting = false
    }

    private func commit(_ batch: [Job]) async {
        let callbacks = batch.map { ($0.callback, $0.receivedAt) }
        do {
            let outcomes = try await pool.write { db in try Self.apply(callbacks, in: db) }
            committedTransactions += 1
            for (job, outcome) in zip(batch, outcomes) {
                job.continuation.resume(returning: outcome)
            }
        } catch {
            logger?.error(
                "SQLite store could not commit callbacks; they were not stored and will be refused",
                metadata: ["callbacks": "\(batch.count)", "error": "\(error)"])
            let failure = StatusStoreError(
                "the SQLite store could not commit this callback (\(error)); nothing was stored",
                underlying: error)
            for job in batch {
                job.continuation.resume(throwing: failure)
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
    private static func apply(
        _ callbacks: [(StatusCallback, Date)], in db: Database
    ) throws -> [RecordOutcome] {
        let decoder = JSONCoding.makeDecoder()
        let encoder = JSONCoding.makeEncoder()
        var current: [String: MessageRecord] = [:]
        var seq = try OutboxTable.latestSeq(in: db)
        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(callbacks.count)
        for (callback, receivedAt) in callbacks {
            let sid = callback.messageSid
            let stored = try current[sid] ?? MessagesTable.record(sid: sid, in: db, decoder: decoder)
            let outcome = StatusMachine.outcome(of: callback, receivedAt: receivedAt, stored: stored)
            current[sid] = outcome.record
            guard var change = outcome.change else {
                outcomes.append(outcome)
                continue
            }
            seq += 1
            change.seq = seq
            try OutboxTable.append(change, in: db, encoder: encoder)
            outcomes.append(RecordOutcome(record: outcome.record, change: change))
        }
        for record in current.values {
            try MessagesTable.save(record, in: db, encoder: encoder)
        }
        return outcomes
    }
}

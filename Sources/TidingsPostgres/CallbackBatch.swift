import Foundation
import Logging
import PostgresNIO
import TidingsCore

/// One group commit of a ``PostgresStatusStore``: the callbacks that
/// ``TidingsCore/GroupCommitQueue`` gathered, recorded by `OptimisticCommit` without locks,
/// or — when one of their messages changed meanwhile — applied in one transaction:
///
/// 1. Read the batch's messages and lock their rows (`FOR UPDATE`, in SID order).
/// 2. Run each callback through ``TidingsCore/StatusMachine`` in arrival order, a callback
///    seeing every earlier one of the batch for its message.
/// 3. Write every message it changed: replace the rows it read, insert the others.
/// 4. Append the changes to the outbox, which numbers them and takes the outbox counter
///    until the commit (`OutboxTable`); `NOTIFY`; commit.
///
/// Transactions of every instance run steps 1–3 at once, each holding only its own
/// messages' rows: a message's record is read, moved by the machine and written back with
/// no other transaction in between, so the machine's whole rule set — rank only moves
/// forward, the first final status wins, `read` overrides, duplicates are dropped — holds
/// across instances. They queue only at step 4, so `seq`s follow commit order with no
/// gaps. A message with no row yet has nothing to lock: see
/// ``recordMessages(_:on:logger:)`` for two instances inserting its first callbacks at once.
enum CallbackBatch {
    /// How many times a batch runs before its failure is reported.
    static let attempts = 4

    /// The queue's commit step for `client`: ``OptimisticCommit`` first; when a message
    /// changed meanwhile, one transaction per batch, run again when PostgreSQL failed it to
    /// break a deadlock (``isDeadlockVictim(_:)``). All of it by the batch's deadline
    /// (``deadline(of:configuration:clock:)``). A failure becomes a `StatusStoreError`
    /// saying where and why; the queue reports it. Once the batch has committed, its changes
    /// go to `announcements`.
    static func commit(
        to client: PostgresClient, configuration: PostgresStoreConfiguration, clock: ServiceClock,
        announcements: ChangeAnnouncements, logger: Logger
    ) -> GroupCommitQueue.Commit {
        { entries in
            let deadline = deadline(of: entries, configuration: configuration, clock: clock)
            if let batch = try await OptimisticCommit.commit(
                entries, to: client, configuration: configuration, deadline: deadline, announcements: announcements,
                logger: logger)
            {
                return batch.outcomes
            }
            var attempt = 1
            while true {
                do {
                    let batch = try await PostgresStatusStore.transaction(
                        "commit \(entries.count) callback(s); nothing of them was stored",
                        on: client, configuration: configuration, deadline: deadline, logger: logger
                    ) { connection in
                        try await apply(entries, on: connection, announcements: announcements, logger: logger)
                    }
                    announcements.committed(batch.changes)
                    return batch.outcomes
                } catch let error as StatusStoreError where attempt < attempts && isDeadlockVictim(error) {
                    logger.debug(
                        "PostgreSQL failed a group commit to break a deadlock; running it again",
                        metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                    attempt += 1
                }
            }
        }
    }

    /// When a batch must have committed: when the first of its callbacks is owed an answer
    /// (``TidingsCore/GroupCommitQueue/Entry/answerBy``), ``PostgresStoreConfiguration/operationTimeout``
    /// after it was queued. A callback that waited behind a batch the database held back
    /// thus gets its answer within its own deadline, not a whole one more; when the
    /// database answers again, the batch commits in what time is left.
    static func deadline(
        of entries: [GroupCommitQueue.Entry], configuration: PostgresStoreConfiguration, clock: ServiceClock
    ) -> Deadline {
        let fromNow = clock.now.advanced(by: configuration.operationTimeout)
        return Deadline(instant: entries.lazy.compactMap(\.answerBy).min() ?? fromNow, clock: clock)
    }

    /// Steps 1–4 on `connection`, inside the transaction.
    static func apply(
        _ entries: [GroupCommitQueue.Entry], on connection: PostgresConnection,
        announcements: ChangeAnnouncements, logger: Logger
    ) async throws -> RecordedBatch {
        var batch = try await recordMessages(entries, on: connection, logger: logger)
        try await appendChanges(of: &batch, on: connection, announcements: announcements, logger: logger)
        return batch
    }

    /// Steps 1–3: reads and locks the batch's messages, runs the callbacks through the
    /// machine and writes the messages back. The changes are numbered from 1 until
    /// ``appendChanges(of:on:announcements:logger:)`` numbers them after the outbox.
    ///
    /// A message with no row has nothing to lock. When another instance inserts its first
    /// callbacks while this transaction runs, this transaction's insert waits for that one
    /// and then finds the row: it reads the row, locking it, and runs the batch through the
    /// machine again — so both instances' callbacks are kept, in the order they were stored.
    static func recordMessages(
        _ entries: [GroupCommitQueue.Entry], on connection: PostgresConnection, logger: Logger
    ) async throws -> RecordedBatch {
        let decoder = JSONCoding.makeDecoder()
        let sids = Array(Set(entries.map(\.report.messageSid))).sorted()
        var stored = try await MessagesTable.records(sids: sids, on: connection, decoder: decoder, logger: logger)
        var rowsHeld = Set(stored.keys)
        while true {
            let batch = StatusMachine.record(entries, numberingAfter: 0) { stored[$0] }
            let written = batch.records.keys.sorted().map { batch.records[$0]! }
            let storedMeanwhile = try await MessagesTable.save(
                replacing: written.filter { rowsHeld.contains($0.sid) },
                adding: written.filter { !rowsHeld.contains($0.sid) }, on: connection, logger: logger)
            guard !storedMeanwhile.isEmpty else { return batch }
            rowsHeld.formUnion(written.map(\.sid))
            let meanwhile = try await MessagesTable.records(
                sids: storedMeanwhile, on: connection, decoder: decoder, logger: logger)
            stored.merge(meanwhile) { $1 }
        }
    }

    /// Step 4: appends the batch's changes to the outbox, numbering them after it (which
    /// holds the outbox counter until the transaction ends), and tells `announcements`
    /// that their `NOTIFY` will be this instance's own.
    static func appendChanges(
        of batch: inout RecordedBatch, on connection: PostgresConnection,
        announcements: ChangeAnnouncements, logger: Logger
    ) async throws {
        guard
            let before = try await OutboxTable.append(
                batch.changes, on: connection, announcements: announcements, logger: logger)
        else { return }
        batch.renumber(after: before)
    }

    /// Whether a batch failed only because PostgreSQL broke a deadlock with another
    /// transaction (`40P01`; one that locks rows in another order, as deleting old messages
    /// does), so that running it again will do.
    static func isDeadlockVictim(_ error: StatusStoreError) -> Bool {
        let cause = (error.underlying as? PostgresTransactionError)?.closureError ?? error.underlying
        return (cause as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
    }
}

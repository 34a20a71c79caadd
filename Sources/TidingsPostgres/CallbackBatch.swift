import Foundation
import Logging
import PostgresNIO
import TidingsCore

/// One group commit of a ``PostgresStatusStore``: the callbacks that
/// ``TidingsCore/GroupCommitQueue`` gathered, applied in one transaction.
///
/// 1. Lock the outbox counter (`outbox_latest`): from here until the commit no other
///    transaction that records callbacks or marks messages stale, on any instance, can run.
/// 2. Read the batch's messages (`FOR UPDATE`).
/// 3. Run each callback through ``TidingsCore/StatusMachine`` in arrival order, a callback
///    seeing every earlier one of the batch for its message; number each change from the
///    counter.
/// 4. Write every message it changed, the changes to the outbox, the counter, and a
///    `NOTIFY`; commit.
///
/// Because step 1 serializes the writers, the machine's whole rule set — rank only moves
/// forward, the first final status wins, `read` overrides, duplicates are dropped — holds
/// across instances with no read-modify-write race, and the outbox `seq`s have no gaps.
enum CallbackBatch {
    /// The queue's commit step for `client`: one transaction per batch, within
    /// ``PostgresStoreConfiguration/operationTimeout``. A failure becomes a
    /// `StatusStoreError` saying where and why; the queue reports it. Once the batch has
    /// committed, its changes go to `announcements`.
    static func commit(
        to client: PostgresClient, configuration: PostgresStoreConfiguration,
        announcements: ChangeAnnouncements, logger: Logger
    ) -> GroupCommitQueue.Commit {
        { entries in
            let batch = try await PostgresStatusStore.transaction(
                "commit \(entries.count) callback(s); nothing of them was stored",
                on: client, configuration: configuration, logger: logger
            ) { connection in
                try await apply(entries, on: connection, announcements: announcements, logger: logger)
            }
            announcements.committed(batch.changes)
            return batch.outcomes
        }
    }

    static func apply(
        _ entries: [GroupCommitQueue.Entry], on connection: PostgresConnection,
        announcements: ChangeAnnouncements, logger: Logger
    ) async throws -> RecordedBatch {
        let latestSeq = try await OutboxTable.lockLatestSeq(on: connection, logger: logger)
        let sids = Array(Set(entries.map(\.callback.messageSid))).sorted()
        let stored = try await MessagesTable.records(
            sids: sids, on: connection, decoder: JSONCoding.makeDecoder(), logger: logger)
        let batch = StatusMachine.record(entries, numberingAfter: latestSeq) { stored[$0] }
        try await MessagesTable.save(batch.records.keys.sorted().map { batch.records[$0]! }, on: connection, logger: logger)
        announcements.willCommit(latestSeq: batch.latestSeq, changed: !batch.changes.isEmpty)
        try await OutboxTable.append(batch.changes, latestSeq: batch.latestSeq, on: connection, logger: logger)
        return batch
    }
}

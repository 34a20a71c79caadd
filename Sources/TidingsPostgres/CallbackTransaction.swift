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
enum CallbackTransaction {
    /// The queue's commit step for `client`: one transaction per batch, within
    /// ``PostgresStoreConfiguration/operationTimeout``. A failure is logged and becomes a
    /// `StatusStoreError` saying where and why.
    static func commit(
        to client: PostgresClient, configuration: PostgresStoreConfiguration, logger: Logger
    ) -> GroupCommitQueue.Commit {
        { entries in
            do {
                return try await PostgresStatusStore.transaction(
                    "commit \(entries.count) callback(s); nothing of them was stored",
                    on: client, configuration: configuration, logger: logger
                ) { connection in
                    try await apply(entries, on: connection, logger: logger)
                }
            } catch {
                logger.error(
                    "PostgreSQL store could not commit callbacks; they were not stored and will be refused",
                    metadata: ["callbacks": "\(entries.count)", "error": "\(error)"])
                throw error
            }
        }
    }

    static func apply(
        _ entries: [GroupCommitQueue.Entry], on connection: PostgresConnection, logger: Logger
    ) async throws -> [RecordOutcome] {
        var seq = try await OutboxRows.lockLatestSeq(on: connection, logger: logger)
        let sids = Array(Set(entries.map(\.callback.messageSid))).sorted()
        var current = try await MessagesRows.records(
            sids: sids, on: connection, decoder: JSONCoding.makeDecoder(), logger: logger)
        var changed: Set<String> = []
        var changes: [StatusChange] = []
        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(entries.count)
        for entry in entries {
            let sid = entry.callback.messageSid
            let outcome = StatusMachine.outcome(of: entry.callback, receivedAt: entry.receivedAt, stored: current[sid])
            current[sid] = outcome.record
            changed.insert(sid)
            guard var change = outcome.change else {
                outcomes.append(outcome)
                continue
            }
            seq += 1
            change.seq = seq
            changes.append(change)
            outcomes.append(RecordOutcome(record: outcome.record, change: change))
        }
        try await MessagesRows.save(changed.sorted().map { current[$0]! }, on: connection, logger: logger)
        try await OutboxRows.append(changes, latestSeq: seq, on: connection, logger: logger)
        return outcomes
    }
}

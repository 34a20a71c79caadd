import Foundation
import Logging
import PostgresNIO
import TidingsCore

/// A group commit in two round trips and no explicit transaction, tried before
/// ``CallbackBatch``'s locking transaction.
///
/// 1. Read the batch's messages without locking them, each with its row's version
///    (`xmin`, which every update of a row changes).
/// 2. Run the reports through ``TidingsCore/StatusMachine``.
/// 3. In one statement, which PostgreSQL commits as it ends: replace each message read,
///    but only if its row still has the version read; insert the others, unless a row
///    appeared meanwhile; if any message was not written, raise (`tidings_changed_meanwhile`,
///    schema version 4), which undoes the whole statement; otherwise number the changes
///    after the outbox (``OutboxTable/numbering(when:)``) and `NOTIFY`.
///
/// Nothing waits on the network while holding a lock: the outbox counter is held only from
/// the statement's numbering to its commit, on the database server, where
/// ``CallbackBatch``'s transaction holds it for two more round trips. A message another
/// instance changed between steps 1 and 3 makes the statement raise; the batch then goes
/// through ``CallbackBatch``'s transaction, which locks its rows, so it is stored at most
/// one attempt later and never lost. `seq`s are taken in commit order, as there.
enum OptimisticCommit {
    /// The SQLSTATE that `tidings_changed_meanwhile()` raises.
    static let changedMeanwhileState = "TD001"

    /// Records `entries` as above; nil when nothing was stored because a message changed
    /// meanwhile (or PostgreSQL broke a deadlock with the statement). Both round trips end
    /// by `deadline`. Once committed, the changes go to `announcements`.
    static func commit(
        _ entries: [GroupCommitQueue.Entry], to client: PostgresClient, configuration: PostgresStoreConfiguration,
        deadline: Deadline, announcements: ChangeAnnouncements, logger: Logger
    ) async throws -> RecordedBatch? {
        let decoder = JSONCoding.makeDecoder()
        let sids = Array(Set(entries.map(\.report.messageSid))).sorted()
        let stored = try await PostgresStatusStore.running(
            "read the stored messages of \(entries.count) callback(s)", on: client, configuration: configuration,
            deadline: deadline
        ) { connection in
            try await MessagesTable.versionedRecords(sids: sids, on: connection, decoder: decoder, logger: logger)
        }
        var batch = StatusMachine.record(entries, numberingAfter: 0) { stored[$0]?.record }
        let written = batch.records.keys.sorted().map { batch.records[$0]! }
        let statement = Statement(
            replacing: written.filter { stored[$0.sid] != nil }, adding: written.filter { stored[$0.sid] == nil },
            versions: stored.mapValues(\.version), changes: batch.changes, announcements: announcements)
        do {
            let before = try await PostgresStatusStore.running(
                "commit \(entries.count) callback(s); nothing of them was stored", on: client, configuration: configuration,
                deadline: deadline
            ) { connection in
                let rows = try await connection.execute(statement, logger: logger)
                for try await before in rows where before != nil || statement.documents.isEmpty {
                    return before
                }
                throw OutboxTable.missingCounter
            }
            if let before { batch.renumber(after: before) }
            announcements.committed(batch.changes)
            return batch
        } catch let error as StatusStoreError where isChangedMeanwhile(error) || CallbackBatch.isDeadlockVictim(error) {
            logger.debug(
                "a group commit without locks found a message changed since it read it; recording the batch with row locks",
                metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The statement of step 3, prepared once on each connection. It answers one row: the
    /// `seq` before the batch's changes and its `NOTIFY`, both NULL when the batch has no
    /// changes — or no `outbox_latest` row, which ``commit(_:to:configuration:announcements:logger:)``
    /// reports.
    struct Statement: PostgresPreparedStatement {
        static let sql = """
            WITH replaced AS (
                UPDATE messages SET \(replacedAssignments)
                FROM jsonb_to_recordset($1::jsonb) AS given (\(MessagesTable.recordsetColumns))
                WHERE messages.sid = given.sid AND messages.xmin::text = given.version
                RETURNING messages.sid
            ), added AS (
                INSERT INTO messages (\(MessagesTable.columnList))
                SELECT \(MessagesTable.columnList)
                FROM jsonb_to_recordset($2::jsonb) AS given (\(MessagesTable.recordsetColumns))
                ON CONFLICT (sid) DO NOTHING RETURNING sid
            ), unchanged AS (
                SELECT CASE WHEN (SELECT count(*) FROM replaced) + (SELECT count(*) FROM added) = $3
                    THEN true ELSE tidings_changed_meanwhile() END AS ok
            ), \(OutboxTable.changesTable(of: "$4")),
            \(OutboxTable.numbering(when: "(SELECT ok FROM unchanged) AND EXISTS (SELECT FROM \(OutboxTable.changesTable))"))
            SELECT counter.before,
                CASE WHEN counter.before IS NOT NULL THEN \(OutboxTable.notification(token: "$5"))::text END
            FROM unchanged LEFT JOIN counter ON true
            """
        typealias Row = Int64?

        /// The rows of the messages read in step 1, each with the version read (`$1`).
        let replacing: String
        /// The rows of the messages step 1 found no row for (`$2`).
        let adding: String
        /// How many rows the two must write (`$3`).
        let expected: Int
        /// ``OutboxTable/unnumberedDocuments(_:)`` of the batch's changes (`$4`).
        let documents: [String]
        /// The committing instance's ``ChangeAnnouncements/token`` (`$5`).
        let token: String

        /// Step 3 for `replacing`, the records of messages read with `versions`, `adding`,
        /// those of messages with no row, and the batch's `changes`.
        init(
            replacing: [MessageRecord], adding: [MessageRecord], versions: [String: String], changes: [StatusChange],
            announcements: ChangeAnnouncements
        ) {
            self.replacing = MessagesTable.rowsText(replacing, versions: versions)
            self.adding = MessagesTable.rowsText(adding)
            self.expected = replacing.count + adding.count
            self.documents = OutboxTable.unnumberedDocuments(changes)
            self.token = announcements.token
        }

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(replacing)
            bindings.append(adding)
            bindings.append(expected)
            bindings.append(documents)
            bindings.append(token)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64? {
            try row.decode((Int64?, String?).self).0
        }
    }

    /// The `SET` list of step 3's `UPDATE`, from the `given` rows.
    private static let replacedAssignments = MessageColumns.assignments(from: "given")

    /// Whether `error` is the statement undoing itself because a message changed.
    static func isChangedMeanwhile(_ error: StatusStoreError) -> Bool {
        (error.underlying as? PSQLError)?.serverInfo?[.sqlState] == changedMeanwhileState
    }
}

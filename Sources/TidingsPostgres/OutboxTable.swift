import Foundation
import PostgresNIO
import TidingsCore

/// Reads and writes the `outbox` table and its `outbox_latest` counter (see `PostgresSchema`).
///
/// `outbox_latest` holds one row, the highest `seq` ever given to a change. A commit
/// numbers its changes last (``numbering(when:)``): it raises the counter, which locks its
/// row until the commit ends, and inserts the changes below the new value — in the
/// statement that writes the messages and commits (`OptimisticCommit`), or in the last
/// statement of a transaction (``append(_:on:announcements:logger:)``, `CallbackBatch`).
/// Commits on every instance record their messages in parallel and wait for one another
/// only from their numbering to their end. So `seq`s are taken in commit order with no
/// gaps: a reader never sees `seq` n+1 committed while n is still to come (as a
/// sequence's numbers would allow), which would make a sink cursor step over n.
enum OutboxTable {
    /// Numbers `changes` (given in order) after the outbox's latest `seq`, inserts them,
    /// raises the counter and announces them to every instance listening; the notification
    /// is delivered when the transaction commits, and not at all if it does not. Returns
    /// the `seq` before the first change: the changes are numbered from the next one. Holds
    /// the counter's lock until the transaction ends, so call it last. No changes: nothing
    /// is locked, and nil.
    static func append(
        _ changes: [StatusChange], on connection: PostgresConnection, announcements: ChangeAnnouncements,
        logger: Logger
    ) async throws -> Int64? {
        guard !changes.isEmpty else { return nil }
        let rows = try await connection.execute(
            Appending(documents: unnumberedDocuments(changes), token: announcements.token), logger: logger)
        for try await before in rows { return before }
        throw missingCounter
    }

    /// The statement of ``append(_:on:announcements:logger:)``, prepared once on each
    /// connection: the changes' documents are `$1`, the instance's token `$2`.
    struct Appending: PostgresPreparedStatement {
        static let sql = """
            WITH \(changesTable(of: "$1")), \(numbering(when: "true"))
            SELECT before, \(notification(token: "$2"))::text FROM counter
            """
        typealias Row = Int64

        /// ``unnumberedDocuments(_:)`` of the changes.
        let documents: [String]
        /// The appending instance's ``ChangeAnnouncements/token``.
        let token: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(documents)
            bindings.append(token)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 {
            try row.decode((Int64, String).self).0
        }
    }

    /// The changes' documents, in order, each without its `seq`, which ``numbering(when:)``
    /// puts first: the rows of ``changesTable``.
    static func unnumberedDocuments(_ changes: [StatusChange]) -> [String] {
        changes.map { change in
            var unnumbered = change
            unnumbered.seq = nil
            return JSONCoding.encodedText(unnumbered)
        }
    }

    /// The name of the common table expression that ``numbering(when:)`` numbers:
    /// `(change, position)`, each of ``unnumberedDocuments(_:)`` and its place from 1. A
    /// statement defines it with ``changesTable(of:)``.
    static let changesTable = "changes"

    /// The common table expression ``changesTable`` over `documents`, the SQL of a `text[]`
    /// of ``unnumberedDocuments(_:)`` (a bound parameter).
    static func changesTable(of documents: String) -> String {
        "\(changesTable) AS (SELECT change, position FROM unnest(\(documents)::text[]) WITH ORDINALITY AS given (change, position))"
    }

    /// Two common table expressions of a statement that defines ``changesTable``: `counter`
    /// raises `outbox_latest` by the number of changes (locking its row until the
    /// transaction ends) and returns the `seq` before them, `before`; `numbered` inserts
    /// the changes under the `seq`s that follow. Both happen only if `condition` (SQL) holds.
    static func numbering(when condition: String) -> String {
        """
        counter AS (
            UPDATE outbox_latest SET seq = seq + (SELECT count(*) FROM \(changesTable))
            WHERE id = 1 AND \(condition)
            RETURNING seq - (SELECT count(*) FROM \(changesTable)) AS before
        ), numbered AS (
            INSERT INTO outbox (seq, change)
            SELECT counter.before + given.position,
                   '{"seq":' || (counter.before + given.position) || ',' || substr(given.change, 2)
            FROM counter, \(changesTable) AS given
        )
        """
    }

    /// The `pg_notify` of a statement with ``numbering(when:)``, from its `counter`: its
    /// payload names the latest `seq` and the committing instance, whose
    /// ``ChangeAnnouncements/token`` is the SQL `token` (a bound parameter).
    static func notification(token: String) -> String {
        let latestSeq = "counter.before + (SELECT count(*) FROM \(changesTable))"
        return "pg_notify('\(PostgresStatusStore.changesChannel)', "
            + "\(ChangeAnnouncements.payloadSQL(latestSeq: latestSeq, token: token)))"
    }

    /// What a statement that found no `outbox_latest` row throws.
    static let missingCounter = StatusStoreError(
        "the outbox_latest row is missing: the schema was changed by hand; run `tidings migrate`")
}

import Foundation
import PostgresNIO
import TidingsCore

/// Reads and writes the `outbox` table and its `outbox_latest` counter (see `PostgresSchema`).
///
/// `outbox_latest` holds one row, the highest `seq` ever given to a change. A transaction
/// numbers its changes last, in one statement (``append(_:on:logger:)``) that raises the
/// counter, which locks its row until the transaction ends, and inserts the changes below
/// the new value. Transactions on every instance record their messages in parallel, each
/// locking only its own messages' rows, and wait for one another only for that statement
/// and their commit. So `seq`s are taken in commit order with no gaps: a reader never sees
/// `seq` n+1 committed while n is still to come (as a sequence's numbers would allow),
/// which would make a sink cursor step over n.
enum OutboxTable {
    /// Numbers `changes` (given in order) after the outbox's latest `seq`, inserts them,
    /// raises the counter and announces them to every instance listening; the notification
    /// is delivered when the transaction commits, and not at all if it does not. Returns
    /// the `seq` before the first change: the changes are numbered from the next one. Holds
    /// the counter's lock until the transaction ends, so call it last. No changes: nothing
    /// is locked, and nil.
    static func append(
        _ changes: [StatusChange], on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        guard !changes.isEmpty else { return nil }
        let count = Int64(changes.count)
        // Each document is written without its `seq`, which the statement puts first.
        let documents = changes.map { change in
            var unnumbered = change
            unnumbered.seq = nil
            return JSONCoding.encodedText(unnumbered)
        }
        let rows = try await connection.query(
            """
            WITH counter AS (
                UPDATE outbox_latest SET seq = seq + \(count) WHERE id = 1 RETURNING seq - \(count) AS before
            ), added AS (
                INSERT INTO outbox (seq, change)
                SELECT counter.before + given.position,
                       '{"seq":' || (counter.before + given.position) || ',' || substr(given.change, 2)
                FROM counter, unnest(\(documents)::text[]) WITH ORDINALITY AS given (change, position)
            )
            SELECT before, pg_notify(\(PostgresStatusStore.changesChannel), (before + \(count))::text)::text FROM counter
            """, logger: logger)
        for try await (before, _) in rows.decode((Int64, String).self) { return before }
        throw StatusStoreError("the outbox_latest row is missing: the schema was changed by hand; run `tidings migrate`")
    }
}

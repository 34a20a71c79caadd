import Foundation
import PostgresNIO
import TidingsCore

/// Reads and writes the `outbox` table and its `outbox_latest` counter (see `PostgresSchema`).
///
/// `outbox_latest` holds one row, the highest `seq` ever given to a change. A transaction
/// that adds changes locks it first (``lockLatestSeq(on:logger:)``) and raises it last
/// (``append(_:latestSeq:on:logger:)``), so such transactions — on every instance —
/// take their `seq`s one after the other, and a reader never sees `seq` n+1 committed
/// while n is still to come (as a sequence's numbers would allow), which would make a sink
/// cursor step over n.
enum OutboxTable {
    /// Locks the counter for this transaction and returns the latest `seq`.
    static func lockLatestSeq(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT seq FROM outbox_latest WHERE id = 1 FOR UPDATE", logger: logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        throw StatusStoreError("the outbox_latest row is missing: the schema was changed by hand; run `tidings migrate`")
    }

    /// Inserts `changes` (numbered from the locked counter), raises the counter to
    /// `latestSeq` and announces them to every instance listening; the notification is
    /// delivered when the transaction commits, and not at all if it does not.
    static func append(
        _ changes: [StatusChange], latestSeq: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !changes.isEmpty else { return }
        let seqs = changes.map { $0.seq! }
        let documents = changes.map(JSONCoding.encodedText)
        try await connection.query(
            "INSERT INTO outbox (seq, change) SELECT * FROM unnest(\(seqs)::bigint[], \(documents)::text[])",
            logger: logger)
        try await connection.query("UPDATE outbox_latest SET seq = \(latestSeq) WHERE id = 1", logger: logger)
        try await connection.query(
            "SELECT pg_notify(\(PostgresStatusStore.changesChannel), \(String(latestSeq)))", logger: logger)
    }
}

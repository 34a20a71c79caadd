import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `outbox` table (see `SQLiteStatusStore.migrator`).
enum OutboxTable {
    /// The highest `seq` ever given to a change, pruned or not; 0 before the first: the
    /// outbox's highest `seq`, or the highest pruned (`outbox_pruned`) when pruning emptied
    /// it. Both are read from the ends of their B-trees; neither is written by a commit.
    static func latestSeq(in db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MAX(COALESCE((SELECT MAX(seq) FROM outbox), 0),
                               COALESCE((SELECT seq FROM outbox_pruned WHERE id = 1), 0))
                    """)
        ) ?? 0
    }

    /// Inserts `change` under its own ``TidingsCore/StatusChange/seq``, which the caller
    /// took from ``latestSeq(in:)`` in the same transaction, so it is the new highest.
    /// A `seq` already used fails the insert (the primary key), and so the transaction,
    /// rather than overwriting a change.
    static func append(_ change: StatusChange, in db: Database) throws {
        precondition(change.seq != nil, "a change enters the outbox with its seq")
        let json = JSONCoding.encodedText(change)
        try db.cachedStatement(sql: "INSERT INTO outbox (seq, change) VALUES (?, ?)")
            .execute(arguments: [change.seq, json])
    }

    /// Up to `limit` changes with a `seq` above `seq`, in `seq` order.
    static func changes(
        after seq: Int64, limit: Int, in db: Database, decoder: JSONDecoder
    ) throws -> [StatusChange] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT change FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
            arguments: [seq, limit]
        ).map { try JSONCoding.decodeChange($0, decoder: decoder) }
    }

    /// Deletes every change up to and including `seq`; returns how many went. The highest
    /// `seq` deleted is kept in `outbox_pruned` first, so that ``latestSeq(in:)`` stays
    /// right when no change is left.
    static func deleteChanges(through seq: Int64, in db: Database) throws -> Int {
        try db.cachedStatement(
            sql: """
                UPDATE outbox_pruned SET seq = MAX(seq, COALESCE((SELECT MAX(seq) FROM outbox WHERE seq <= ?), 0))
                WHERE id = 1
                """
        ).execute(arguments: [seq])
        try db.cachedStatement(sql: "DELETE FROM outbox WHERE seq <= ?").execute(arguments: [seq])
        return db.changesCount
    }
}

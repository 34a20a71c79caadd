import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `dead_letters` table (see `SQLiteStatusStore.migrator`):
/// the changes each sink gave up on.
enum DeadLettersTable {
    /// Keeps `changes` as dead letters of `sink`. A change `sink` already gave up on keeps
    /// one row, which takes the new reason and time.
    static func add(
        _ changes: [StatusChange], sink: String, reason: String, at time: Date,
        in db: Database
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO dead_letters (sink, change_id, seq, change, reason, failed_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (sink, change_id) DO UPDATE SET
                    seq = excluded.seq,
                    change = excluded.change,
                    reason = excluded.reason,
                    failed_at = excluded.failed_at
                """)
        for change in changes {
            let json = JSONCoding.encodedText(change)
            try statement.execute(arguments: [
                sink, change.id, change.seq, json, reason, time.timeIntervalSince1970,
            ])
        }
    }

    /// Up to `limit` dead letters of `sink`, oldest first (and in `seq` order among those
    /// given up on at the same time).
    static func deadLetters(
        of sink: String, limit: Int, in db: Database, decoder: JSONDecoder
    ) throws -> [DeadLetter] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT change, reason, failed_at FROM dead_letters
                    WHERE sink = ? ORDER BY failed_at, seq LIMIT ?
                    """),
            arguments: [sink, limit]
        ).map { row in
            let json: String = row["change"]
            return DeadLetter(
                change: try JSONCoding.decodeChange(json, decoder: decoder),
                reason: row["reason"],
                failedAt: Date(timeIntervalSince1970: row["failed_at"]))
        }
    }

    /// How many dead letters `sink` has.
    static func count(of sink: String, in db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM dead_letters WHERE sink = ?"), arguments: [sink]
        ) ?? 0
    }

    /// Deletes the dead letters of `sink` whose change has one of `ids`.
    static func remove(of sink: String, ids: [String], in db: Database) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM dead_letters WHERE sink = ? AND change_id = ?")
        for id in ids {
            try statement.execute(arguments: [sink, id])
        }
    }
}

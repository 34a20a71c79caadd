import Foundation
import GRDB

/// Reads and writes rows of the `sink_leases` table (see `SQLiteStatusStore.migrator`):
/// per sink, which process feeds it and until when (see
/// ``TidingsCore/SinkLeasing/acquireLease(of:for:duration:)``).
enum SinkLeasesTable {
    /// Takes the lease of `sink` for `holder` when it is free, ran out before `now`, or is
    /// `holder`'s already; returns whether `holder` holds it.
    static func acquire(_ sink: String, for holder: String, now: Date, expiresAt: Date, in db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT INTO sink_leases (sink, holder, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (sink) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE sink_leases.holder = excluded.holder OR sink_leases.expires_at < ?
                """
        ).execute(arguments: [sink, holder, expiresAt.timeIntervalSince1970, now.timeIntervalSince1970])
        return db.changesCount == 1
    }

    /// Ends `holder`'s lease of `sink`, if it holds it.
    static func release(_ sink: String, by holder: String, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM sink_leases WHERE sink = ? AND holder = ?")
            .execute(arguments: [sink, holder])
    }
}

import GRDB

/// Reads and writes rows of the `sink_cursors` table (see `SQLiteStatusStore.migrator`):
/// per sink, the highest outbox `seq` it has taken.
enum SinkCursorsTable {
    /// The cursor of `sink`, or nil when it has none.
    static func cursor(of sink: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT seq FROM sink_cursors WHERE sink = ?"), arguments: [sink])
    }

    /// Gives `sink` a cursor at `seq` unless it has one; returns its cursor, new or kept.
    static func insertIfMissing(_ sink: String, at seq: Int64, in db: Database) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO sink_cursors (sink, seq) VALUES (?, ?)")
            .execute(arguments: [sink, seq])
        return try cursor(of: sink, in: db) ?? seq
    }

    /// Moves the cursor of `sink` up to `seq`, never back; creates it when missing.
    static func advance(_ sink: String, to seq: Int64, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO sink_cursors (sink, seq) VALUES (?, ?)
                ON CONFLICT (sink) DO UPDATE SET seq = MAX(seq, excluded.seq)
                """
        ).execute(arguments: [sink, seq])
    }

    /// Sets the cursor of `sink` to `seq`, back or forth; creates it when missing.
    static func set(_ sink: String, to seq: Int64, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO sink_cursors (sink, seq) VALUES (?, ?)
                ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq
                """
        ).execute(arguments: [sink, seq])
    }
}

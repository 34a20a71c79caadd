import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `messages` table (see `SQLiteStatusStore.migrator`).
enum MessagesTable {
    /// The stored record of `sid`, or nil when no callback for it was ever stored.
    static func record(sid: String, in db: Database, decoder: JSONDecoder) throws -> MessageRecord? {
        guard
            let json = try String.fetchOne(
                db.cachedStatement(sql: "SELECT record FROM messages WHERE sid = ?"),
                arguments: [sid])
        else { return nil }
        return try decoder.decode(MessageRecord.self, from: Data(json.utf8))
    }

    /// Inserts `record`, or replaces the row of its SID.
    static func save(_ record: MessageRecord, in db: Database, encoder: JSONEncoder) throws {
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO messages (
                    sid, status, rank, is_final, error_code, channel, conflict,
                    first_seen_at, updated_at, record
                ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sid) DO UPDATE SET
                    status = excluded.status,
                    rank = excluded.rank,
                    is_final = excluded.is_final,
                    error_code = excluded.error_code,
                    channel = excluded.channel,
                    conflict = excluded.conflict,
                    updated_at = excluded.updated_at,
                    record = excluded.record
                """
        ).execute(arguments: [
            record.sid,
            record.status.wireValue,
            record.status.rank,
            record.isFinal,
            record.errorCode,
            record.channel.name,
            record.conflict,
            record.firstSeenAt.timeIntervalSince1970,
            record.updatedAt.timeIntervalSince1970,
            json,
        ])
    }
}

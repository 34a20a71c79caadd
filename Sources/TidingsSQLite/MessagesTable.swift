import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `messages` table (see `SQLiteStatusStore.migrator`).
///
/// A row holds the whole ``TidingsCore/MessageRecord`` as its JSON document (`record`)
/// and, beside it, the parts of the record that queries filter, sort and count on. Every
/// write goes through ``save(_:in:)``, which keeps those columns in step with the
/// document. Times are stored as `TimeColumn` values.
enum MessagesTable {
    /// The stored record of `sid`, or nil when no callback for it was ever stored.
    static func record(sid: String, in db: Database, decoder: JSONDecoder) throws -> MessageRecord? {
        try document(sid: sid, in: db).map { try decode($0, decoder: decoder) }
    }

    /// The stored `record` document of `sid`, as it is; nil when no callback for it was
    /// ever stored.
    static func document(sid: String, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM messages WHERE sid = ?"), arguments: [sid])
    }

    /// Inserts `record`, or replaces the row of its SID.
    static func save(_ record: MessageRecord, in db: Database) throws {
        let json = JSONCoding.encodedText(record)
        let latencies = MessageLatencies(record)
        try db.cachedStatement(
            sql: """
                INSERT INTO messages (
                    sid, status, rank, is_final, error_code, channel, conflict,
                    first_seen_at, updated_at, record,
                    to_address, stale, queued_to_sent, sent_to_delivered, carrier_to_callback
                ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sid) DO UPDATE SET
                    status = excluded.status,
                    rank = excluded.rank,
                    is_final = excluded.is_final,
                    error_code = excluded.error_code,
                    channel = excluded.channel,
                    conflict = excluded.conflict,
                    updated_at = excluded.updated_at,
                    record = excluded.record,
                    to_address = excluded.to_address,
                    stale = excluded.stale,
                    queued_to_sent = excluded.queued_to_sent,
                    sent_to_delivered = excluded.sent_to_delivered,
                    carrier_to_callback = excluded.carrier_to_callback
                """
        ).execute(arguments: [
            record.sid,
            record.status.wireValue,
            record.status.rank,
            record.isFinal,
            record.errorCode,
            record.channel.name,
            record.conflict,
            TimeColumn.value(record.firstSeenAt),
            TimeColumn.value(record.updatedAt),
            json,
            record.to,
            record.stale,
            latencies.queuedToSent,
            latencies.sentToDelivered,
            latencies.carrierToCallback,
        ])
    }

    /// The records of the messages still in flight and not yet stale whose last change is
    /// before `cutoff`, oldest change first (then by SID).
    static func inFlightRecords(
        lastChangeBefore cutoff: Date, in db: Database, decoder: JSONDecoder
    ) throws -> [MessageRecord] {
        try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT record FROM messages
                    WHERE is_final = 0 AND stale = 0 AND updated_at < ?
                    ORDER BY updated_at, sid
                    """),
            arguments: [TimeColumn.lowerBound(cutoff)]
        ).map { try decode($0, decoder: decoder) }
    }

    /// Deletes up to `limit` messages whose last change is before `cutoff`, oldest first;
    /// returns how many went.
    static func deleteMessages(lastChangeBefore cutoff: Date, limit: Int, in db: Database) throws -> Int {
        try db.cachedStatement(
            sql: """
                DELETE FROM messages WHERE sid IN (
                    SELECT sid FROM messages WHERE updated_at < ? ORDER BY updated_at LIMIT ?
                )
                """
        ).execute(arguments: [TimeColumn.lowerBound(cutoff), limit])
        return db.changesCount
    }

    /// Reads a `record` document.
    static func decode(_ json: String, decoder: JSONDecoder) throws -> MessageRecord {
        try decoder.decode(MessageRecord.self, from: Data(json.utf8))
    }
}

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
        let columns = MessageColumns(record)
        try db.cachedStatement(sql: upsert).execute(arguments: [
            columns.sid,
            columns.status,
            columns.rank,
            columns.isFinal,
            columns.errorCode,
            columns.channel,
            columns.conflict,
            TimeColumn.value(columns.firstSeenAt),
            TimeColumn.value(columns.updatedAt),
            columns.document,
            columns.to,
            columns.stale,
            columns.latencies.queuedToSent,
            columns.latencies.sentToDelivered,
            columns.latencies.carrierToCallback,
            columns.conversationMessageSid,
        ])
    }

    /// The statement of ``save(_:in:)``: one argument per column of
    /// ``TidingsCore/MessageColumns/names``, in that order.
    private static let upsert = """
        INSERT INTO messages (\(MessageColumns.names.joined(separator: ", ")))
        VALUES (\(Array(repeating: "?", count: MessageColumns.names.count).joined(separator: ", ")))
        ON CONFLICT (sid) DO UPDATE SET \(MessageColumns.upsertAssignments)
        """

    /// The records of the messages still in flight and not yet stale whose last change is
    /// before `cutoff`, oldest change first (then by SID).
    static func inFlightRecords(
        lastChangeBefore cutoff: Date, in db: Database, decoder: JSONDecoder
    ) throws -> [MessageRecord] {
        try String.fetchAll(db.cachedStatement(sql: inFlightSelection), arguments: [TimeColumn.lowerBound(cutoff)])
            .map { try decode($0, decoder: decoder) }
    }

    /// The statement of ``inFlightRecords(lastChangeBefore:in:decoder:)``, read from the
    /// partial index `messages_in_flight`; its one argument is the cutoff.
    static let inFlightSelection = """
        SELECT record FROM messages
        WHERE is_final = 0 AND stale = 0 AND updated_at < ?
        ORDER BY updated_at, sid
        """

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
        try JSONCoding.decodeRecord(json, decoder: decoder)
    }
}

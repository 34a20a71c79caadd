import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `messages` table (see `SQLiteStatusStore.migrator`).
///
/// A row holds the ``TidingsCore/MessageRecord`` as its JSON document (`record`) without
/// its history, whose entries are rows of ``HistoryTable``, and, beside it, the parts of the
/// record that queries filter, sort and count on. Every write goes through
/// ``save(_:storedHistory:in:)``, which keeps those columns and the history in step with
/// the document. Times are stored as `TimeColumn` values.
enum MessagesTable {
    /// The stored record of `sid`, history included, or nil when no callback for it was ever stored.
    static func record(sid: String, in db: Database, decoder: JSONDecoder) throws -> MessageRecord? {
        guard let summary = try summaryDocument(sid: sid, in: db) else { return nil }
        return try JSONCoding.decodeRecord(
            withoutHistory: summary, history: HistoryTable.documents(of: sid, in: db), decoder: decoder)
    }

    /// The document of `sid`'s whole record, history included — the bytes
    /// `JSONCoding.encodedText` writes for it — from one read transaction and without
    /// decoding anything; nil when no callback for it was ever stored.
    static func document(sid: String, in db: Database) throws -> String? {
        guard let summary = try summaryDocument(sid: sid, in: db) else { return nil }
        return JSONCoding.recordDocument(withoutHistory: summary, history: try HistoryTable.documents(of: sid, in: db))
    }

    /// The stored `record` document of `sid`, which holds an empty history.
    private static func summaryDocument(sid: String, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM messages WHERE sid = ?"), arguments: [sid])
    }

    /// The records of the `record` documents `rows` holds (SID and document, in order),
    /// each with its history.
    static func records(_ rows: [(sid: String, document: String)], in db: Database, decoder: JSONDecoder) throws
        -> [MessageRecord]
    {
        let histories = try HistoryTable.documents(of: rows.map(\.sid), in: db)
        return try rows.map {
            try JSONCoding.decodeRecord(withoutHistory: $0.document, history: histories[$0.sid] ?? [], decoder: decoder)
        }
    }

    /// Inserts `record`, or replaces the row of its SID, and writes its history beyond
    /// `storedHistory` (the history as read in this transaction; none for a new message).
    static func save(_ record: MessageRecord, storedHistory: [HistoryEntry], in db: Database) throws {
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
            JSONCoding.encodedText(record.withoutHistory),
            columns.to,
            columns.stale,
            columns.latencies.queuedToSent,
            columns.latencies.sentToDelivered,
            columns.latencies.carrierToCallback,
        ])
        try HistoryTable.save(record.history, of: record.sid, stored: storedHistory, in: db)
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
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT sid, record FROM messages
                    WHERE is_final = 0 AND stale = 0 AND updated_at < ?
                    ORDER BY updated_at, sid
                    """),
            arguments: [TimeColumn.lowerBound(cutoff)])
        return try records(rows.map { ($0["sid"], $0["record"]) }, in: db, decoder: decoder)
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
        try JSONCoding.decodeRecord(json, decoder: decoder)
    }
}

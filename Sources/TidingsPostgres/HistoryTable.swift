import Foundation
import PostgresNIO
import TidingsCore

/// Writes rows of the `history` table (see `PostgresSchema`): one row per history entry of
/// a message, its `HistoryEntry` as a JSON document, at its position. Reads join them to
/// their records in the same statement (``MessagesTable``).
///
/// A message's history lives here rather than in its record's document so that a callback
/// appends a row instead of rewriting a document that grows with every callback. A row is
/// rewritten only when its entry counts another duplicate. Rows go with their message
/// (`ON DELETE CASCADE`).
enum HistoryTable {
    /// `array_agg` of a message's entry documents in order, for a `SELECT` over `messages`
    /// (aliased `m`): NULL for a message without history.
    static let entriesOfMessage = "(SELECT array_agg(h.entry ORDER BY h.position) FROM history h WHERE h.sid = m.sid)"

    /// Writes, for each record, what its history holds beyond `stored` (its history as
    /// read in this transaction; none for a new message): new entries are inserted and
    /// those whose duplicate count moved are rewritten, all in one statement.
    static func save(
        _ records: [MessageRecord], stored: [String: [HistoryEntry]], on connection: PostgresConnection, logger: Logger
    ) async throws {
        var sids: [String] = [], positions: [Int32] = [], entries: [String] = []
        for record in records {
            let before = stored[record.sid] ?? []
            for (position, entry) in record.history.enumerated()
            where position >= before.count || before[position] != entry {
                sids.append(record.sid)
                positions.append(Int32(position))
                entries.append(JSONCoding.encodedText(entry))
            }
        }
        guard !sids.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO history (sid, position, entry)
            SELECT * FROM unnest(\(sids)::text[], \(positions)::integer[], \(entries)::text[])
            ON CONFLICT (sid, position) DO UPDATE SET entry = excluded.entry
            """, logger: logger)
    }

    /// Moves the history of every record stored with it in its document (before schema
    /// version 2) into rows, 500 messages at a time in SID order.
    static func moveOut(on connection: PostgresConnection, logger: Logger) async throws {
        let decoder = JSONCoding.makeDecoder()
        var lastSid = ""
        while true {
            var records: [MessageRecord] = []
            let rows = try await connection.query(
                "SELECT record FROM messages WHERE sid > \(lastSid) ORDER BY sid LIMIT 500", logger: logger)
            for try await json in rows.decode(String.self) {
                records.append(try JSONCoding.decodeRecord(json, decoder: decoder))
            }
            guard let last = records.last else { return }
            try await save(records, stored: [:], on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE messages SET record = given.record
                FROM unnest(\(records.map(\.sid))::text[], \(records.map { JSONCoding.encodedText($0.withoutHistory) })::text[])
                    AS given (sid, record)
                WHERE messages.sid = given.sid
                """, logger: logger)
            lastSid = last.sid
        }
    }
}

import GRDB
import TidingsCore

/// Reads and writes rows of the `history` table (see `SQLiteStatusStore.migrator`): one row
/// per history entry of a message, its `HistoryEntry` as a JSON document, at its position.
///
/// A message's history lives here rather than in its record's document so that a callback
/// appends one row instead of rewriting a document that grows with every callback. A row
/// is rewritten only when its entry counts another duplicate. Rows go with their message
/// (a trigger deletes them).
enum HistoryTable {
    /// The entry documents of `sid`, in order.
    static func documents(of sid: String, in db: Database) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT entry FROM history WHERE sid = ? ORDER BY position"), arguments: [sid])
    }

    /// The entry documents of each of `sids`, in order; a SID without history has none.
    static func documents(of sids: [String], in db: Database) throws -> [String: [String]] {
        guard !sids.isEmpty else { return [:] }
        var documents: [String: [String]] = [:]
        let rows = try Row.fetchCursor(
            db, sql: """
                SELECT sid, entry FROM history WHERE sid IN (\(databaseQuestionMarks(count: sids.count)))
                ORDER BY sid, position
                """,
            arguments: StatementArguments(sids))
        while let row = try rows.next() {
            documents[row["sid"], default: []].append(row["entry"])
        }
        return documents
    }

    /// Writes what `history` holds beyond `stored`, the history as read before: the entries
    /// after it are appended, and those whose duplicate count moved are rewritten.
    static func save(_ history: [HistoryEntry], of sid: String, stored: [HistoryEntry], in db: Database) throws {
        for position in stored.indices where position < history.count && history[position] != stored[position] {
            try db.cachedStatement(sql: "UPDATE history SET entry = ? WHERE sid = ? AND position = ?")
                .execute(arguments: [JSONCoding.encodedText(history[position]), sid, position])
        }
        for position in stored.count..<max(history.count, stored.count) {
            try db.cachedStatement(sql: "INSERT INTO history (sid, position, entry) VALUES (?, ?, ?)")
                .execute(arguments: [sid, position, JSONCoding.encodedText(history[position])])
        }
    }
}

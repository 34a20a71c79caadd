import Foundation
import GRDB
import TidingsCore

/// Reads and writes rows of the `quarantine` table (see `SQLiteStatusStore.migrator`):
/// what a source sent that is no report.
enum QuarantineTable {
    /// Keeps `reports`; one whose source and event id are kept already adds nothing.
    static func add(_ reports: [QuarantinedReport], in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO quarantine (source, event_id, reason, document, received_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, event_id) DO NOTHING
                """)
        for report in reports {
            try statement.execute(arguments: [
                report.source.rawValue, report.eventId, report.reason, report.document,
                TimeColumn.value(report.receivedAt),
            ])
        }
    }

    /// Deletes the rows kept before `cutoff`; returns how many.
    static func delete(keptBefore cutoff: Date, in db: Database) throws -> Int {
        try db.execute(
            sql: "DELETE FROM quarantine WHERE received_at < ?", arguments: [TimeColumn.lowerBound(cutoff)])
        return db.changesCount
    }

    /// The `limit` most recently kept, newest first.
    static func newest(limit: Int, in db: Database) throws -> [QuarantinedReport] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT source, event_id, reason, document, received_at FROM quarantine ORDER BY id DESC LIMIT ?"),
            arguments: [limit]
        ).map { row in
            QuarantinedReport(
                source: ReportSource(rawValue: row["source"]) ?? .eventStream, reason: row["reason"],
                eventId: row["event_id"], document: row["document"],
                receivedAt: Date(timeIntervalSince1970: row["received_at"]))
        }
    }
}

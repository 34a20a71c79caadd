import Foundation
import PostgresNIO
import TidingsCore

extension PostgresStatusStore {
    /// Keeps `reports` in one statement; one whose source and event id are kept already
    /// adds nothing.
    public func quarantine(_ reports: [QuarantinedReport]) async throws {
        guard !reports.isEmpty else { return }
        let sources = reports.map(\.source.rawValue)
        let eventIds = reports.map { $0.eventId ?? "" }  // no array of optionals: "" stands for none
        let reasons = reports.map(\.reason)
        let documents = reports.map(\.document)
        let times = reports.map { TimeColumn.value($0.receivedAt) }
        try await running("keep \(reports.count) unreadable report(s) in quarantine") { connection in
            try await connection.query(
                """
                INSERT INTO quarantine (source, event_id, reason, document, received_at)
                SELECT source, NULLIF(event_id, ''), reason, document, received_at
                FROM unnest(\(sources)::text[], \(eventIds)::text[], \(reasons)::text[], \(documents)::text[],
                            \(times)::bigint[]) WITH ORDINALITY AS given (source, event_id, reason, document, received_at, n)
                ORDER BY n
                ON CONFLICT (source, event_id) DO NOTHING
                """)
        }
    }

    /// Deletes what was kept before `cutoff`.
    public func deleteQuarantined(keptBefore cutoff: Date) async throws -> Int {
        let bound = TimeColumn.lowerBound(cutoff)
        return try await running("delete old entries of the quarantine") { connection in
            let rows = try await connection.query("WITH gone AS (DELETE FROM quarantine WHERE received_at < \(bound) RETURNING 1) SELECT COUNT(*) FROM gone")
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    /// The `limit` most recently kept, newest first.
    public func quarantinedReports(limit: Int) async throws -> [QuarantinedReport] {
        let limit = Int64(min(limit, 100_000))
        return try await running("read the quarantine") { connection in
            var reports: [QuarantinedReport] = []
            let rows = try await connection.query(
                "SELECT source, event_id, reason, document, received_at FROM quarantine ORDER BY id DESC LIMIT \(limit)")
            for try await (source, eventId, reason, document, receivedAt) in rows.decode(
                (String, String?, String, String, Int64).self)
            {
                reports.append(QuarantinedReport(
                    source: ReportSource(rawValue: source) ?? .eventStream, reason: reason, eventId: eventId,
                    document: document, receivedAt: Date(timeIntervalSince1970: Double(receivedAt) / 1000)))
            }
            return reports
        }
    }
}

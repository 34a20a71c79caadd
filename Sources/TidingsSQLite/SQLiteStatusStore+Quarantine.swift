import Foundation
import TidingsCore

extension SQLiteStatusStore {
    /// Keeps `reports` in one transaction on the writer connection.
    public func quarantine(_ reports: [QuarantinedReport]) async throws {
        guard !reports.isEmpty else { return }
        try await writing("keep \(reports.count) unreadable report(s) in quarantine") { db in
            try QuarantineTable.add(reports, in: db)
        }
    }

    /// Deletes what was kept before `cutoff`, in one transaction on the writer connection.
    public func deleteQuarantined(keptBefore cutoff: Date) async throws -> Int {
        try await writing("delete old entries of the quarantine") { db in
            try QuarantineTable.delete(keptBefore: cutoff, in: db)
        }
    }

    /// The `limit` most recently kept, newest first, read on a reader.
    public func quarantinedReports(limit: Int) async throws -> [QuarantinedReport] {
        try await reading("read the quarantine") { db in try QuarantineTable.newest(limit: limit, in: db) }
    }
}

import Foundation

/// Keeping what a source sent that is no report (``QuarantinedReport``): the role of a store
/// that the Event Streams route and `GET /v1/quarantine` need.
public protocol ReportQuarantine: Sendable {
    /// Keeps `reports` durably; returns once they are. One with an ``QuarantinedReport/eventId``
    /// already kept from the same source is kept once (the first).
    ///
    /// - Throws: ``StatusStoreError`` when the store cannot take them; nothing was kept.
    func quarantine(_ reports: [QuarantinedReport]) async throws

    /// The `limit` most recently kept, newest first.
    ///
    /// - Throws: ``StatusStoreError`` when the store cannot be read.
    func quarantinedReports(limit: Int) async throws -> [QuarantinedReport]

    /// Deletes what was kept before `cutoff` (retention, as for messages); returns how many.
    ///
    /// - Throws: ``StatusStoreError`` when the store cannot delete them.
    @discardableResult
    func deleteQuarantined(keptBefore cutoff: Date) async throws -> Int
}

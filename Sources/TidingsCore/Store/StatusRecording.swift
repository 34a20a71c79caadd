import Foundation
import TwilioWebhooks

/// Taking reports in: the role of a store that the routes of every source need.
///
/// A conformer runs ``StatusMachine`` on the stored record and persists what it decided,
/// atomically with the change's row in its ``ChangeOutbox``: when
/// ``record(_:receivedAt:)`` returns, the report is durable and its change is queued
/// for every sink, and only then may the HTTP layer acknowledge it.
public protocol StatusRecording: Sendable {
    /// Applies one report — a status callback, an event, a receipt, an API answer — to its
    /// message and stores the result durably, with its change in the outbox (duplicates add
    /// nothing to the outbox).
    ///
    /// `receivedAt` is kept to the store's precision (a millisecond in every store today):
    /// the record returned carries the time as it was stored, so that what a route hands
    /// on equals what a later read gives back.
    ///
    /// - Returns: the message as now stored and what the report did, the change carrying
    ///   its outbox ``StatusChange/seq``.
    /// - Throws: ``StatusStoreError`` when the store cannot take it; nothing was stored.
    func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome
}

import Foundation
import TwilioWebhooks

/// Taking callbacks in: the role of a store that the callback route needs.
///
/// A conformer runs ``StatusMachine`` on the stored record and persists what it decided,
/// atomically with the change's row in its ``ChangeOutbox``: when
/// ``record(_:receivedAt:)`` returns, the callback is durable and its change is queued
/// for every sink, and only then may the HTTP layer acknowledge it.
public protocol StatusRecording: Sendable {
    /// Applies one callback to its message and stores the result durably, with its
    /// change in the outbox (duplicates add nothing to the outbox).
    ///
    /// `receivedAt` is kept to the store's precision (a millisecond in every store today):
    /// the record returned carries the time as it was stored, so that what the callback
    /// route hands on equals what a later read gives back.
    ///
    /// - Returns: the message as now stored and what the callback did, the change
    ///   carrying its outbox ``StatusChange/seq``.
    /// - Throws: ``StatusStoreError`` when the store cannot take it; nothing was stored.
    func record(_ callback: StatusCallback, receivedAt: Date) async throws -> RecordOutcome
}

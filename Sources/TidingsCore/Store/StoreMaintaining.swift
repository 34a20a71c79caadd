import Foundation

/// Housekeeping over time: the role of a store that the maintenance service needs
/// (stale detection and retention).
public protocol StoreMaintaining: Sendable {
    /// Marks every message still in flight whose last change is before `cutoff` as stale
    /// (``StatusMachine/markStale(at:)``), writing each one's change to the outbox in the
    /// same transaction; returns those changes with their `seq`.
    func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange]

    /// Deletes the messages whose last change is before `cutoff` (retention); returns how many.
    @discardableResult
    func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int
}

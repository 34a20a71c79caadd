import Foundation

/// The durable queue between the store and the sinks.
///
/// A store writes each distinct callback's ``StatusChange`` to its outbox in the same
/// transaction as the message, numbering it with the next ``StatusChange/seq``. Every sink
/// has its own cursor — the highest `seq` it has taken — so a slow or failing sink never
/// holds up another, and a crash loses nothing: after a restart each sink goes on from its
/// cursor (delivery is at least once). Changes every sink has taken are pruned.
public protocol ChangeOutbox: Sendable {
    /// Up to `limit` (> 0) changes with a `seq` above `seq`, in `seq` order.
    func changes(after seq: Int64, limit: Int) async throws -> [StatusChange]

    /// The highest `seq` stored so far (0 when the outbox was never written).
    func latestSeq() async throws -> Int64

    /// Starts a cursor at ``latestSeq()`` for a sink never seen before — a new sink gets
    /// the changes stored from now on, not the past (replay gives it those) — and returns
    /// the sink's cursor, new or kept from earlier runs.
    @discardableResult
    func registerSink(_ sink: String) async throws -> Int64

    /// The highest `seq` `sink` has taken (0 for a sink never registered).
    func cursor(of sink: String) async throws -> Int64

    /// Records that `sink` has taken every change up to `seq`. Never moves a cursor back.
    func advanceCursor(of sink: String, to seq: Int64) async throws

    /// Moves a cursor to `seq`, back or forth: for replaying changes to a sink.
    func resetCursor(of sink: String, to seq: Int64) async throws

    /// Keeps changes `sink` gave up on, with the reason, for a later replay. A change
    /// already kept for `sink` stays one dead letter, with the new reason and time.
    func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws

    /// The dead letters of `sink`, oldest first (by `failedAt`, then `seq`); `limit` > 0.
    func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter]

    /// How many dead letters `sink` has.
    func deadLetterCount(of sink: String) async throws -> Int

    /// Forgets dead letters of `sink` (after they were replayed).
    func removeDeadLetters(of sink: String, ids: [String]) async throws

    /// Deletes the changes with a `seq` up to `seq` (the dispatcher passes what every sink
    /// has taken and the retention window allows); returns how many went.
    /// ``latestSeq()`` and the dead letters are not affected.
    @discardableResult
    func pruneChanges(through seq: Int64) async throws -> Int
}

import Foundation
import TwilioWebhooks

/// Where message records live. One protocol, many backends (memory, SQLite, PostgreSQL),
/// all held to the same conformance tests.
///
/// A conformer runs ``StatusMachine`` on the stored record and persists what it decided,
/// atomically with the change's row in its ``ChangeOutbox``: when
/// ``record(_:receivedAt:)`` returns, the callback is durable and its change is queued
/// for every sink, and only then may the HTTP layer acknowledge it.
public protocol StatusStore: ChangeOutbox {
    /// Applies one callback to its message and stores the result durably, with its
    /// change in the outbox (duplicates add nothing to the outbox).
    ///
    /// - Returns: the message as now stored and what the callback did, the change
    ///   carrying its outbox ``StatusChange/seq``.
    /// - Throws: ``StatusStoreError`` when the store cannot take it; nothing was stored.
    func record(_ callback: StatusCallback, receivedAt: Date) async throws -> RecordOutcome

    /// The record of one message, or nil when no callback for it was ever stored.
    func message(sid: String) async throws -> MessageRecord?

    /// The record of one message as its JSON document (the bytes ``JSONCoding`` writes,
    /// the `GET /v1/messages/{sid}` answer), or nil when no callback for it was ever
    /// stored. Stores that keep the document return it as stored, without decoding it.
    func messageDocument(sid: String) async throws -> [UInt8]?

    /// Throws when the store cannot serve requests now (used by `/readyz`).
    func checkAvailability() async throws

    /// The messages `query` selects, newest change first, one page at a time.
    func messages(matching query: MessageQuery) async throws -> MessagePage

    /// Counts and latencies of the messages whose last change falls in `query`'s window.
    func stats(_ query: StatsQuery) async throws -> MessageStats

    /// Marks every message still in flight whose last change is before `cutoff` as stale
    /// (``StatusMachine/markStale(at:)``), writing each one's change to the outbox in the
    /// same transaction; returns those changes with their `seq`.
    func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange]

    /// Deletes the messages whose last change is before `cutoff` (retention); returns how many.
    @discardableResult
    func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int
}

extension StatusStore {
    /// ``message(sid:)``, encoded: for stores that keep records rather than documents.
    public func messageDocument(sid: String) async throws -> [UInt8]? {
        try await message(sid: sid).map(JSONCoding.encoded)
    }
}

/// What recording one callback did.
public struct RecordOutcome: Sendable, Equatable {
    /// The message after the callback.
    public let record: MessageRecord
    /// The change to hand to sinks; nil when the callback was an exact repeat.
    public let change: StatusChange?

    public init(record: MessageRecord, change: StatusChange?) {
        self.record = record
        self.change = change
    }

    /// Whether the callback repeated one already stored.
    public var isDuplicate: Bool { change == nil }
}

/// Why a store could not do what was asked.
public struct StatusStoreError: Error, CustomStringConvertible {
    /// In words for the operator.
    public let description: String
    /// The backend's own error, if any.
    public let underlying: (any Error)?

    public init(_ description: String, underlying: (any Error)? = nil) {
        self.description = description
        self.underlying = underlying
    }
}

extension StatusMachine {
    /// Runs one callback through the machine and packages the result for a store:
    /// the shared step of every ``StatusStore`` conformer.
    public static func outcome(
        of callback: StatusCallback, receivedAt: Date, stored: MessageRecord?
    ) -> RecordOutcome {
        var machine = StatusMachine(record: stored)
        let transition = machine.receive(callback, at: receivedAt)
        switch transition {
        case .duplicate:
            return RecordOutcome(record: machine.record!, change: nil)
        case .recorded(let change):
            return RecordOutcome(record: machine.record!, change: change)
        }
    }

    /// Marks those of `records` that may go stale (``markStale(at:)``), numbering their
    /// changes from `seq + 1` in the order given: the shared step of every store's
    /// ``StatusStore/markStale(lastChangeBefore:at:)``, which then persists each record
    /// with its change.
    public static func markStale(
        _ records: [MessageRecord], at time: Date, numberingAfter seq: Int64
    ) -> [(record: MessageRecord, change: StatusChange)] {
        var seq = seq
        var marked: [(record: MessageRecord, change: StatusChange)] = []
        for record in records {
            var machine = StatusMachine(record: record)
            guard var change = machine.markStale(at: time), let stale = machine.record else { continue }
            seq += 1
            change.seq = seq
            marked.append((stale, change))
        }
        return marked
    }
}

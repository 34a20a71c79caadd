import Foundation
import TwilioWebhooks

/// What one recording transaction decided, before the store writes it: the shared step of
/// every ``StatusRecording`` conformer (``StatusMachine/record(_:numberingAfter:stored:)``).
public struct RecordedBatch: Sendable {
    /// One outcome per callback, in the order given; each change carries its `seq`.
    public internal(set) var outcomes: [RecordOutcome] = []
    /// Every message the batch touched, as it now is, by SID: a repeat changes its record
    /// too (its history entry counts the duplicate), so each one is written back.
    public internal(set) var records: [String: MessageRecord] = [:]
    /// The changes for the outbox, in `seq` order (repeats add none).
    public internal(set) var changes: [StatusChange] = []
    /// The highest `seq` after the batch: the outbox counter to store.
    public internal(set) var latestSeq: Int64

    /// Moves every `seq` of the batch up by `offset`: for a store that learns its outbox's
    /// latest `seq` only when it appends the changes, at the end of its transaction (the
    /// PostgreSQL store numbers a batch from 1, then by where the outbox stood).
    public mutating func renumber(after offset: Int64) {
        for index in outcomes.indices { outcomes[index].change?.seq? += offset }
        for index in changes.indices { changes[index].seq? += offset }
        latestSeq += offset
    }
}

extension StatusMachine {
    /// Runs reports through the machine in arrival order and numbers their changes:
    /// the one recording step of every store, whose transaction then writes
    /// ``RecordedBatch/records`` and appends ``RecordedBatch/changes`` to its outbox.
    ///
    /// - Parameters:
    ///   - entries: the reports and when each arrived. Arrival times are kept to the
    ///     millisecond (``JSONCoding/wholeMilliseconds(_:)``), the precision of every store,
    ///     so the outcome returned equals what a later read gives back.
    ///   - seq: the outbox's latest `seq`, read in the same transaction; changes are
    ///     numbered from `seq + 1`.
    ///   - stored: the stored record of a SID (nil for a message never seen), asked at most
    ///     once per SID: a callback sees every earlier callback of the batch for its message.
    public static func record(
        _ entries: [GroupCommitQueue.Entry], numberingAfter seq: Int64,
        stored: (String) throws -> MessageRecord?
    ) rethrows -> RecordedBatch {
        var batch = RecordedBatch(latestSeq: seq)
        batch.outcomes.reserveCapacity(entries.count)
        for entry in entries {
            let sid = entry.report.messageSid
            var machine = StatusMachine(record: try batch.records[sid] ?? stored(sid))
            let transition = machine.receive(entry.report, at: JSONCoding.wholeMilliseconds(entry.receivedAt))
            let record = machine.record!
            batch.records[sid] = record
            switch transition {
            case .duplicate:
                batch.outcomes.append(RecordOutcome(record: record, change: nil))
            case .recorded(var change):
                batch.latestSeq += 1
                change.seq = batch.latestSeq
                batch.changes.append(change)
                batch.outcomes.append(RecordOutcome(record: record, change: change))
            }
        }
        return batch
    }

    /// Marks those of `records` that may go stale (``markStale(at:)``), numbering their
    /// changes from `seq + 1` in the order given: the shared step of every store's
    /// ``StoreMaintaining/markStale(lastChangeBefore:at:)``, which then persists each record
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

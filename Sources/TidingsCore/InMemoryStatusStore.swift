import Foundation
import TwilioWebhooks

/// A ``StatusStore`` that keeps records and its outbox in memory: for tests and for
/// trying Tidings out. Everything is lost when the process ends.
public actor InMemoryStatusStore: StatusStore {
    private var records: [String: MessageRecord] = [:]
    private var outbox: [StatusChange] = []
    private var nextSeq: Int64 = 1
    private var cursors: [String: Int64] = [:]
    private var deadLetters: [String: [DeadLetter]] = [:]

    public init() {}

    public func record(_ callback: StatusCallback, receivedAt: Date) -> RecordOutcome {
        let outcome = StatusMachine.outcome(
            of: callback, receivedAt: receivedAt, stored: records[callback.messageSid])
        records[callback.messageSid] = outcome.record
        guard var change = outcome.change else { return outcome }
        change.seq = nextSeq
        nextSeq += 1
        outbox.append(change)
        return RecordOutcome(record: outcome.record, change: change)
    }

    public func message(sid: String) -> MessageRecord? {
        records[sid]
    }

    public func checkAvailability() {}

    // MARK: ChangeOutbox

    public func changes(after seq: Int64, limit: Int) -> [StatusChange] {
        Array(outbox.lazy.filter { $0.seq! > seq }.prefix(limit))
    }

    public func latestSeq() -> Int64 {
        nextSeq - 1
    }

    public func registerSink(_ sink: String) -> Int64 {
        if let cursor = cursors[sink] { return cursor }
        cursors[sink] = latestSeq()
        return latestSeq()
    }

    public func cursor(of sink: String) -> Int64 {
        cursors[sink] ?? 0
    }

    public func advanceCursor(of sink: String, to seq: Int64) {
        cursors[sink] = max(cursors[sink] ?? 0, seq)
    }

    public func resetCursor(of sink: String, to seq: Int64) {
        cursors[sink] = seq
    }

    public func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) {
        let added = Set(changes.map(\.id))
        var letters = deadLetters[sink, default: []].filter { !added.contains($0.change.id) }
        letters += changes.map { DeadLetter(change: $0, reason: reason, failedAt: time) }
        letters.sort { ($0.failedAt, $0.change.seq ?? 0) < ($1.failedAt, $1.change.seq ?? 0) }
        deadLetters[sink] = letters
    }

    public func deadLetters(of sink: String, limit: Int) -> [DeadLetter] {
        Array((deadLetters[sink] ?? []).prefix(limit))
    }

    public func deadLetterCount(of sink: String) -> Int {
        deadLetters[sink]?.count ?? 0
    }

    public func removeDeadLetters(of sink: String, ids: [String]) {
        let removed = Set(ids)
        deadLetters[sink]?.removeAll { removed.contains($0.change.id) }
    }

    public func pruneDelivered(sinks: [String]) -> Int {
        let floor = sinks.map { cursors[$0] ?? 0 }.min() ?? latestSeq()
        let before = outbox.count
        outbox.removeAll { $0.seq! <= floor }
        return before - outbox.count
    }
}

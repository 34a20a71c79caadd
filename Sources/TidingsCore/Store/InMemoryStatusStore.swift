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
    private var leases: [String: (holder: String, expiresAt: Date)] = [:]
    private var quarantined: [QuarantinedReport] = []
    private let observers = ChangeObservers()

    /// The time leases are judged by.
    private let clock: ServiceClock

    /// An empty store whose leases run on `clock` (tests step a manual one).
    public init(clock: ServiceClock = .continuous) {
        self.clock = clock
    }

    /// What the banner says: nothing is kept.
    public nonisolated var summary: String { "in memory (not kept across restarts)" }

    public func record(_ report: StatusReport, receivedAt: Date) -> RecordOutcome {
        let batch = StatusMachine.record(
            [GroupCommitQueue.Entry(report: report, receivedAt: receivedAt)], numberingAfter: latestSeq()
        ) { records[$0] }
        records.merge(batch.records) { $1 }
        outbox += batch.changes
        nextSeq = batch.latestSeq + 1
        if !batch.changes.isEmpty { observers.publish(batch.changes) }
        return batch.outcomes[0]
    }

    /// Calls `observer` with the changes of every callback and stale marking, as stored.
    public nonisolated func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {
        observers.add(observer)
    }

    public func message(sid: String) -> MessageRecord? {
        records[sid]
    }

    public func channelMessages(ofConversationMessage sid: String, limit: Int) -> [MessageRecord] {
        Array(records.values.filter { $0.conversation?.messageSid == sid }
            .sorted { ($0.firstSeenAt, $0.sid) < ($1.firstSeenAt, $1.sid) }.prefix(limit))
    }

    public func checkAvailability() {}

    public func messages(matching query: MessageQuery) -> MessagePage {
        let ordered = records.values.filter(query.admits).sorted { ($0.updatedAt, $0.sid) > ($1.updatedAt, $1.sid) }
        let page = Array(ordered.lazy.filter { query.cursor?.precedes($0) ?? true }.prefix(query.limit + 1))
        let shown = Array(page.prefix(query.limit))
        let next = page.count > query.limit ? shown.last.map { MessageCursor(updatedAt: $0.updatedAt, sid: $0.sid).token } : nil
        return MessagePage(messages: shown, nextCursor: next)
    }

    public func stats(_ query: StatsQuery) -> MessageStats {
        var builder = MessageStatsBuilder()
        for record in records.values where query.admits(record) {
            builder.add(record)
        }
        return builder.build()
    }

    public func statusSeries(_ query: SeriesQuery) -> StatusSeries {
        var builder = StatusSeriesBuilder(query)
        for record in records.values where query.admits(record) {
            builder.add(record)
        }
        return builder.build()
    }

    public func markStale(lastChangeBefore cutoff: Date, at time: Date) -> [StatusChange] {
        let candidates = records.values.filter { $0.updatedAt < cutoff }.sorted { ($0.updatedAt, $0.sid) < ($1.updatedAt, $1.sid) }
        let marked = StatusMachine.markStale(candidates, at: time, numberingAfter: latestSeq())
        for (record, change) in marked {
            records[record.sid] = record
            outbox.append(change)
        }
        nextSeq += Int64(marked.count)
        if !marked.isEmpty { observers.publish(marked.map(\.change)) }
        return marked.map(\.change)
    }

    public func deleteMessages(lastChangeBefore cutoff: Date) -> Int {
        let old = records.values.filter { $0.updatedAt < cutoff }.map(\.sid)
        for sid in old { records[sid] = nil }
        return old.count
    }

    // MARK: ReportQuarantine

    public func quarantine(_ reports: [QuarantinedReport]) {
        for report in reports {
            let isKept = report.eventId.map { id in
                quarantined.contains { $0.source == report.source && $0.eventId == id }
            } ?? false
            if !isKept { quarantined.append(report) }
        }
    }

    public func quarantinedReports(limit: Int) -> [QuarantinedReport] {
        Array(quarantined.reversed().prefix(limit))
    }

    public func deleteQuarantined(keptBefore cutoff: Date) -> Int {
        let before = quarantined.count
        quarantined.removeAll { $0.receivedAt < cutoff }
        return before - quarantined.count
    }

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

    public func acquireLease(of sink: String, for holder: String, duration: Duration) -> Bool {
        let now = clock.wallTime
        if let lease = leases[sink], lease.holder != holder, lease.expiresAt > now { return false }
        leases[sink] = (holder, now.addingTimeInterval(duration.timeInterval))
        return true
    }

    public func releaseLease(of sink: String, by holder: String) {
        if leases[sink]?.holder == holder { leases[sink] = nil }
    }

    public func pruneChanges(through seq: Int64) -> Int {
        let before = outbox.count
        outbox.removeAll { $0.seq! <= seq }
        return before - outbox.count
    }
}

import Foundation
import TwilioWebhooks

/// The rules that turn a message's reports, in whatever order and by whatever source they
/// arrive, into the truth about that message. A value with no I/O: it decides, a store
/// persists.
///
/// - Every distinct report is appended to the history, with its source.
/// - A higher ``TwilioWebhooks/MessageStatus/rank`` moves the status; a lower or equal one
///   does not (a `sent` after `delivered` is history, not a regression).
/// - The first final status wins. A different final status later is kept and flags
///   ``MessageRecord/conflict``; `delivered` after `read` agrees with it.
/// - `read` is proof of delivery: it moves the status even after `undelivered`, `failed`
///   or `canceled`, and then flags a conflict.
/// - An unknown status is kept in history and never moves the status (unless the message
///   has no known status yet).
/// - An exact repeat (see ``HistoryEntry/isRepeated(by:)``) is a duplicate: counted on the
///   entry it repeats, nothing else changes. The same news from another source is not a
///   repeat.
/// - The first time of each documented status is kept in the timeline: the report's own
///   event time when its source gives one (``StatusReport/eventAt``), else when it arrived;
///   an earlier time heard later replaces a later one. The carrier's done time comes from
///   `RawDlrDoneDate`.
public struct StatusMachine: Sendable {
    /// The message as decided so far; nil before its first report.
    public private(set) var record: MessageRecord?

    /// What one report did.
    public enum Transition: Sendable, Equatable {
        /// An exact repeat of a report already recorded.
        case duplicate
        /// A distinct report, now in the history; the change says whether it moved the status.
        case recorded(StatusChange)
    }

    /// Starts from what is known of a message (nil for a message never heard of).
    public init(record: MessageRecord?) {
        self.record = record
    }

    /// Applies one report received at `receivedAt`.
    public mutating func receive(_ report: StatusReport, at receivedAt: Date) -> Transition {
        let status = report.status
        guard var record else {
            var first = MessageRecord(
                sid: report.messageSid, channel: report.channel, status: status,
                firstSeenAt: receivedAt)
            let change = Self.apply(report, at: receivedAt, to: &first, moves: true, conflicts: false, previous: nil)
            self.record = first
            return .recorded(change)
        }
        if let repeated = record.history.firstIndex(where: { $0.isRepeated(by: report) }) {
            record.history[repeated].duplicates += 1
            self.record = record
            return .duplicate
        }
        let (moves, conflicts) = Self.decide(current: record.status, incoming: status)
        let change = Self.apply(
            report, at: receivedAt, to: &record, moves: moves, conflicts: conflicts,
            previous: record.status)
        self.record = record
        return .recorded(change)
    }

    /// Marks an in-flight message as stale at `time` and returns the one change that says
    /// so; nil when the message is final or already stale.
    public mutating func markStale(at time: Date) -> StatusChange? {
        guard var record, !record.isFinal, !record.stale else { return nil }
        record.stale = true
        self.record = record
        return StatusChange(
            id: "\(record.sid)-stale-\(record.history.count)", receivedAt: time, source: nil, sid: record.sid,
            status: record.status, previousStatus: record.status, reportedStatus: record.status,
            errorCode: record.errorCode, errorMessage: record.errorMessage, channel: record.channel,
            to: record.to, applied: false, conflict: record.conflict, stale: true)
    }

    /// What an error code means, from Twilio's catalog; an unknown code says so and where
    /// to look.
    static func errorMessage(for code: Int) -> String {
        ErrorCatalog.twilio.entry(for: code)?.title
            ?? "Unknown Twilio error code; see \(ErrorCatalog.docsURL(for: code))"
    }

    /// Whether `incoming` moves a message now in `current`, and whether it contradicts it.
    static func decide(current: MessageStatus, incoming: MessageStatus) -> (moves: Bool, conflicts: Bool) {
        guard let incomingRank = incoming.rank else { return (false, false) }
        guard let currentRank = current.rank else { return (true, false) }
        if incoming == .read {
            return (currentRank < incomingRank, current.isFailure)
        }
        if current.isFinal && incoming.isFinal {
            let agrees = incoming == current || (current == .read && !incoming.isFailure)
            return (false, !agrees)
        }
        return (incomingRank > currentRank, false)
    }

    private static func apply(
        _ report: StatusReport, at receivedAt: Date, to record: inout MessageRecord,
        moves: Bool, conflicts: Bool, previous: MessageStatus?
    ) -> StatusChange {
        let status = report.status
        record.history.append(
            HistoryEntry(
                source: report.source, status: status, errorCode: report.errorCode, receivedAt: receivedAt,
                eventAt: report.eventAt, applied: moves, dedupeKey: report.dedupeKey, params: report.fields))
        if status.isDocumented {
            record.timeline.note(status, at: report.eventAt ?? receivedAt)
        }
        if moves {
            record.status = status
            record.errorCode = report.errorCode
            record.errorMessage = report.errorCode.map(Self.errorMessage(for:))
            record.channelStatusMessage = report.channelStatusMessage
        }
        if conflicts { record.conflict = true }
        record.stale = false
        if let receipt = report.rawDlrDoneDate, moves || record.rawDlrDoneDate == nil {
            record.rawDlrDoneDate = receipt.raw
            record.carrierDoneAt = receipt.date
        }
        // A message first heard of without its addresses (a Conversations receipt) was taken
        // for SMS or MMS by its SID; a report that names its channel (a `whatsapp:` address)
        // corrects that. A channel known from its addresses never changes.
        if [.sms, .mms].contains(record.channel), ![.sms, .mms].contains(report.channel) {
            record.channel = report.channel
        }
        record.accountSid = record.accountSid ?? report.accountSid
        record.messagingServiceSid = record.messagingServiceSid ?? report.messagingServiceSid
        record.from = record.from ?? report.from
        record.to = record.to ?? report.to
        record.conversation = record.conversation ?? report.conversation
        record.updatedAt = max(record.updatedAt, receivedAt)
        return StatusChange(
            id: "\(record.sid)-\(record.history.count)", receivedAt: receivedAt, source: report.source, sid: record.sid,
            status: record.status, previousStatus: previous,
            reportedStatus: status, errorCode: record.errorCode, errorMessage: record.errorMessage,
            channel: record.channel, to: record.to, applied: moves, conflict: record.conflict)
    }
}

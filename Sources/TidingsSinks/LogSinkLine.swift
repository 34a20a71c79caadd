import Foundation
import TidingsCore

/// One line of the ``LogSink``: a status change, flat, in the words an on-call engineer
/// greps for.
public struct LogSinkLine: Codable, Equatable, Sendable, JSONWritable {
    /// The change's ``TidingsCore/StatusChange/id``: the same on every delivery of the
    /// change, so that a reader can drop repeats (delivery is at least once).
    public let id: String
    /// The change's place in the outbox (``TidingsCore/StatusChange/seq``).
    public let seq: Int64?
    /// When the report was received (RFC 3339, UTC).
    public let ts: Date
    /// The message SID.
    public let sid: String
    /// Which way the news came (`callback`, `event-stream`, `conversations`, `api`); absent
    /// for a stale change, which carries no report.
    public let source: String?
    /// The message's status after this callback.
    public let status: String
    /// The message's status before it; absent for the first callback of a message.
    public let previousStatus: String?
    /// The status the callback reported, when it differs from ``status`` (not applied).
    public let reportedStatus: String?
    /// Twilio's error code for the message, if any.
    public let errorCode: Int?
    /// Twilio's words for the error, if any.
    public let errorMessage: String?
    /// `sms`, `mms`, `whatsapp`, `rcs`, …
    public let channel: String
    /// The recipient's address.
    public let to: String?
    /// Whether this callback moved the status.
    public let applied: Bool
    /// Whether the message's callbacks now disagree about its fate.
    public let conflict: Bool
    /// Whether this change says the message went quiet in flight (`--stale-after`).
    public let stale: Bool

    /// The line for `change`.
    public init(_ change: StatusChange) {
        id = change.id
        seq = change.seq
        ts = change.receivedAt
        sid = change.sid
        source = change.source?.rawValue
        status = change.status.wireValue
        previousStatus = change.previousStatus?.wireValue
        reportedStatus = change.reportedStatus == change.status ? nil : change.reportedStatus.wireValue
        errorCode = change.errorCode
        errorMessage = change.errorMessage
        channel = change.channel.name
        to = change.to
        applied = change.applied
        conflict = change.conflict
        stale = change.stale
    }

    /// Writes the line's JSON, keys in byte order as `JSONCoding.makeEncoder()` sorts them.
    public func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("applied", applied)
            object.field("channel", channel)
            object.field("conflict", conflict)
            object.field("errorCode", errorCode)
            object.field("errorMessage", errorMessage)
            object.field("id", id)
            object.field("previousStatus", previousStatus)
            object.field("reportedStatus", reportedStatus)
            object.field("seq", seq)
            object.field("sid", sid)
            object.field("source", source)
            object.field("stale", stale)
            object.field("status", status)
            object.field("to", to)
            object.field("ts", ts)
        }
    }
}

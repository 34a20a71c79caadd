import Foundation
import TwilioWebhooks

/// What sinks receive: one distinct report and what it did to its message.
///
/// Every report that is not an exact repeat becomes one change, whether or not it moved
/// the status (`applied`): a late `sent` after `delivered`, or a status Twilio added last
/// week, is still news to whoever tails the log.
public struct StatusChange: Sendable, Equatable, Codable {
    /// A stable identifier for consumers' de-duplication: the message SID and the
    /// callback's place in its history (`SM…-3`). Delivery is at least once; a change
    /// delivered twice carries the same id.
    public let id: String
    /// The change's position in the store's outbox, which orders every change of every
    /// message; nil until stored.
    public var seq: Int64?
    /// When Tidings received the report.
    public let receivedAt: Date
    /// Which way the report came; nil for a change that carries no report (``stale``).
    public let source: ReportSource?
    public let sid: String
    /// The message's status after this callback.
    public let status: MessageStatus
    /// The message's status before it (nil for the first callback of a message).
    public let previousStatus: MessageStatus?
    /// The status this callback reported (differs from ``status`` when not applied).
    public let reportedStatus: MessageStatus
    /// The error code of the message after this callback.
    public let errorCode: Int?
    public let errorMessage: String?
    public let channel: Channel
    public let to: String?
    /// Whether this callback moved the status.
    public let applied: Bool
    /// Whether the message's callbacks now disagree about its fate.
    public let conflict: Bool
    /// True for the one change that reports a message as stale (no callback moved it for
    /// longer than the stale threshold); such a change carries no callback.
    public let stale: Bool

    public init(
        id: String, seq: Int64? = nil, receivedAt: Date, source: ReportSource?, sid: String, status: MessageStatus, previousStatus: MessageStatus?,
        reportedStatus: MessageStatus, errorCode: Int?, errorMessage: String?, channel: Channel,
        to: String?, applied: Bool, conflict: Bool, stale: Bool = false
    ) {
        self.id = id
        self.seq = seq
        self.receivedAt = receivedAt
        self.source = source
        self.sid = sid
        self.status = status
        self.previousStatus = previousStatus
        self.reportedStatus = reportedStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.channel = channel
        self.to = to
        self.applied = applied
        self.conflict = conflict
        self.stale = stale
    }
}

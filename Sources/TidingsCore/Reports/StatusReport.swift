import Foundation
import TwilioWebhooks

/// One piece of news about one message, whichever way it came: the one input of
/// ``StatusMachine`` and of every store (``StatusRecording``).
///
/// Each source has an adapter, in a file of its own, that turns its wire format into a
/// report: ``init(_:)`` for a status callback. The machine's rules are the same for every
/// source; what differs is what the source knows (an event time, its own id for a repeat)
/// and what it names its fields, which ``fields`` keeps verbatim.
public struct StatusReport: Sendable, Equatable {
    /// Where the report came from.
    public let source: ReportSource
    /// The message the report is about (`SM…`, `MM…`).
    public let messageSid: String
    /// The status the report stands for (`read` for a callback with `EventType=READ`).
    public let status: MessageStatus
    /// The status as the source put it (differs from ``status`` only for such a read event).
    public let reportedStatus: MessageStatus
    /// Twilio's error code, when the source gave a number.
    public let errorCode: Int?
    /// When the event happened, by the source's own clock, when the source says (an Event
    /// Streams event's `timestamp`, a receipt's `DateUpdated`); nil for a status callback.
    /// The timeline prefers it to the time the report arrived. Kept to the millisecond, the
    /// precision of every store.
    public let eventAt: Date?
    /// The source's own identity of the report, the same on every retry of it (a callback's
    /// `I-Twilio-Idempotency-Token`, a CloudEvent's `id`); a report with the same key from the
    /// same source is a repeat.
    public let dedupeKey: String?
    /// The sender, possibly with a channel prefix (`whatsapp:+1…`). Settable, as ``to`` and
    /// ``fields`` are, so that `--redact` can mask addresses before anything is stored.
    public var from: String?
    /// The recipient, possibly with a channel prefix.
    public var to: String?
    public let accountSid: String?
    public let messagingServiceSid: String?
    /// The channel, as far as the report tells.
    public let channel: Channel
    /// The channel's own words when delivery failed.
    public let channelStatusMessage: String?
    /// The carrier's done time from the delivery receipt, raw.
    public let rawDlrDoneDate: DeliveryReceiptDate?
    /// A callback's `EventType` (`READ`): part of what makes two callbacks the same.
    public let eventType: String?
    /// The Conversations message and participant a receipt is about; nil for other sources.
    public let conversation: ConversationLink?
    /// Every field as the source sent it, in order (a JSON source's fields flattened to
    /// `name`/`value` pairs).
    public var fields: FormBody

    /// A report with every field given; adapters call it.
    public init(
        source: ReportSource, messageSid: String, status: MessageStatus, reportedStatus: MessageStatus? = nil,
        errorCode: Int?, eventAt: Date? = nil, dedupeKey: String? = nil, from: String? = nil, to: String? = nil,
        accountSid: String? = nil, messagingServiceSid: String? = nil, channel: Channel,
        channelStatusMessage: String? = nil, rawDlrDoneDate: DeliveryReceiptDate? = nil, eventType: String? = nil,
        conversation: ConversationLink? = nil, fields: FormBody
    ) {
        self.source = source
        self.messageSid = messageSid
        self.status = status
        self.reportedStatus = reportedStatus ?? status
        self.errorCode = errorCode
        self.eventAt = eventAt.map(JSONCoding.wholeMilliseconds)
        self.dedupeKey = dedupeKey.flatMap { $0.isEmpty ? nil : $0 }
        self.from = from
        self.to = to
        self.accountSid = accountSid
        self.messagingServiceSid = messagingServiceSid
        self.channel = channel
        self.channelStatusMessage = channelStatusMessage
        self.rawDlrDoneDate = rawDlrDoneDate
        self.eventType = eventType
        self.conversation = conversation
        self.fields = fields
    }
}

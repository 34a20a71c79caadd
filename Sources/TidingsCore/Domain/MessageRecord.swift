import Foundation
import TwilioWebhooks

/// Everything Tidings knows about one message: its current status, how it got there, and
/// every callback that told of it.
///
/// ``StatusMachine`` is the only thing that changes a record; stores persist it. Its JSON
/// form (``JSONCoding``) is the `GET /v1/messages/{sid}` answer.
public struct MessageRecord: Sendable, Equatable, Codable {
    /// The message SID (`SM…`, `MM…`).
    public let sid: String
    public var accountSid: String?
    public var messagingServiceSid: String?
    public var from: String?
    public var to: String?
    public var channel: Channel
    /// The current status, as the state machine's rules decided it.
    public var status: MessageStatus
    /// The error code that came with the current status (`30003`, …), if any.
    public var errorCode: Int?
    /// What ``errorCode`` means, when known.
    public var errorMessage: String?
    /// The channel's own words on a failed delivery (`ChannelStatusMessage`).
    public var channelStatusMessage: String?
    /// The carrier's `RawDlrDoneDate`, verbatim.
    public var rawDlrDoneDate: String?
    /// ``rawDlrDoneDate`` as a time, when it parses.
    public var carrierDoneAt: Date?
    /// Set when callbacks disagree about the message's fate (two different final statuses,
    /// or a read receipt after `undelivered`/`failed`).
    public var conflict: Bool
    /// Set when the message has been in flight longer than the stale threshold since its
    /// last callback — Twilio sends nothing when a carrier never answers. Cleared by the
    /// next callback.
    public var stale: Bool
    /// The first time each status was heard of, in the order of a message's life.
    public var timeline: [TimelineEntry]
    /// Every distinct callback, in the order received.
    public var history: [HistoryEntry]
    /// When the first callback for this message arrived.
    public let firstSeenAt: Date
    /// When the last distinct callback arrived.
    public var updatedAt: Date

    /// Whether the message's fate is settled (see ``TwilioWebhooks/MessageStatus/isFinal``).
    public var isFinal: Bool { status.isFinal }

    /// Creates the record of a message heard of for the first time.
    public init(sid: String, channel: Channel, status: MessageStatus, firstSeenAt: Date) {
        self.sid = sid
        self.channel = channel
        self.status = status
        self.conflict = false
        self.stale = false
        self.timeline = []
        self.history = []
        self.firstSeenAt = firstSeenAt
        self.updatedAt = firstSeenAt
    }
}

/// The first time a message was reported in one status.
public struct TimelineEntry: Sendable, Equatable, Codable {
    public let status: MessageStatus
    public var at: Date

    public init(status: MessageStatus, at: Date) {
        self.status = status
        self.at = at
    }
}

/// One callback as received, and what the state machine made of it.
public struct HistoryEntry: Sendable, Equatable, Codable {
    /// The status the callback stands for (`read` for `EventType=READ`).
    public let status: MessageStatus
    public let errorCode: Int?
    public let receivedAt: Date
    /// Whether this callback moved the message's status.
    public let applied: Bool
    /// How many exact repeats of this callback arrived after it (acknowledged, not stored again).
    public var duplicates: Int
    /// The `I-Twilio-Idempotency-Token` it carried.
    public let idempotencyToken: String?
    /// Every parameter exactly as Twilio sent it.
    public let params: FormBody

    public init(
        status: MessageStatus, errorCode: Int?, receivedAt: Date, applied: Bool,
        idempotencyToken: String?, params: FormBody
    ) {
        self.status = status
        self.errorCode = errorCode
        self.receivedAt = receivedAt
        self.applied = applied
        self.duplicates = 0
        self.idempotencyToken = idempotencyToken
        self.params = params
    }

    /// Whether `callback` is an exact repeat of the one recorded here: the same idempotency
    /// token, or the same status, reported status, error code, `RawDlrDoneDate` and `EventType`.
    public func isRepeated(by callback: StatusCallback) -> Bool {
        if let token = callback.idempotencyToken, token == idempotencyToken { return true }
        let param = params.trimmedValue
        return status == callback.status
            && errorCode == callback.errorCode
            && MessageStatus(wireValue: param("MessageStatus") ?? param("SmsStatus") ?? "")
                == callback.reportedStatus
            && param("RawDlrDoneDate") == callback.rawDlrDoneDate?.raw
            && param("EventType")?.uppercased() == callback.eventType?.uppercased()
    }
}

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
    /// The Conversations message and participant this message delivers, when a
    /// Conversations delivery receipt told of it.
    public var conversation: ConversationLink?
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

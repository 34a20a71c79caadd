import Foundation
import TwilioWebhooks

/// A message record as the columns of a SQL store's `messages` table: the record's JSON
/// document beside the parts of it that queries filter, sort and count on. The one
/// projection of a record into its columns, shared by every SQL backend, so that a column
/// is added, or computed differently, in one place.
///
/// Times stay `Date`s here; each backend writes them in its own time column type.
public struct MessageColumns: Sendable, Equatable {
    /// The columns in table order, by their SQL names.
    public static let names = [
        "sid", "status", "rank", "is_final", "error_code", "channel", "conflict",
        "first_seen_at", "updated_at", "record",
        "to_address", "stale", "queued_to_sent", "sent_to_delivered", "carrier_to_callback",
        "conversation_message_sid",
    ]

    /// `INSERT … ON CONFLICT (sid) DO UPDATE SET` followed by this: every column a later
    /// callback can change takes the new row's value (``assignments(from:)`` of `excluded`).
    /// SQLite and PostgreSQL spell it alike.
    public static let upsertAssignments = assignments(from: "excluded")

    /// The `SET` list of a write that replaces a stored row with the row `source` names:
    /// every column a later callback can change (all but `sid` and `first_seen_at`) takes
    /// `source`'s value.
    public static func assignments(from source: String) -> String {
        names.filter { $0 != "sid" && $0 != "first_seen_at" }.map { "\($0) = \(source).\($0)" }.joined(separator: ",\n")
    }

    /// `sid`: the message SID, the table's key.
    public let sid: String
    /// `status`: the current status's wire value.
    public let status: String
    /// `rank`: the status's rank (`MessageStatus.rank`); nil for a status Tidings does not know.
    public let rank: Int?
    /// `is_final`: whether the message has a final status.
    public let isFinal: Bool
    /// `error_code`: Twilio's error code for the current status, if any.
    public let errorCode: Int?
    /// `channel`: `sms`, `whatsapp`, …
    public let channel: String
    /// `conflict`: whether the callbacks disagree about the message's fate.
    public let conflict: Bool
    /// `first_seen_at`: when the first callback arrived.
    public let firstSeenAt: Date
    /// `updated_at`: when the last change arrived; the listing's order and the windows' key.
    public let updatedAt: Date
    /// `record`: the whole record, as ``JSONCoding`` writes it.
    public let document: String
    /// `to_address`: the recipient, as stored.
    public let to: String?
    /// `stale`: whether the message went quiet in flight.
    public let stale: Bool
    /// `queued_to_sent`, `sent_to_delivered`, `carrier_to_callback`: the samples of the stats.
    public let latencies: MessageLatencies
    /// `conversation_message_sid`: the Conversations message (`IM…`) this message delivers.
    public let conversationMessageSid: String?

    /// The columns of `record`.
    public init(_ record: MessageRecord) {
        sid = record.sid
        status = record.status.wireValue
        rank = record.status.rank
        isFinal = record.isFinal
        errorCode = record.errorCode
        channel = record.channel.name
        conflict = record.conflict
        firstSeenAt = record.firstSeenAt
        updatedAt = record.updatedAt
        document = JSONCoding.encodedText(record)
        to = record.to
        stale = record.stale
        latencies = MessageLatencies(record)
        conversationMessageSid = record.conversation?.messageSid
    }
}

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
    ]

    /// `INSERT … ON CONFLICT (sid) DO UPDATE SET` followed by this: every column a later
    /// callback can change takes the new row's value (all but `sid` and `first_seen_at`).
    /// SQLite and PostgreSQL spell it alike.
    public static let upsertAssignments = names.filter { $0 != "sid" && $0 != "first_seen_at" }
        .map { "\($0) = excluded.\($0)" }.joined(separator: ",\n")

    public let sid: String
    public let status: String
    /// The status's rank (`MessageStatus.rank`); nil for a status Tidings does not know.
    public let rank: Int?
    public let isFinal: Bool
    public let errorCode: Int?
    public let channel: String
    public let conflict: Bool
    public let firstSeenAt: Date
    public let updatedAt: Date
    /// The whole record, as ``JSONCoding`` writes it.
    public let document: String
    public let to: String?
    public let stale: Bool
    public let latencies: MessageLatencies

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
    }
}

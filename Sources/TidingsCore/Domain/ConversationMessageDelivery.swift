import Foundation
import TwilioWebhooks

/// How one Conversations message (`IM…`) fares with its participants, from the records of
/// the channel messages that carried it (each linked by a Conversations delivery receipt):
/// the `GET /v1/conversations/messages/{IM…}` answer.
///
/// ``delivery`` has the form of the Conversations API's own `delivery` summary: `total`, the
/// receipts known, and for each status whether `all`, `some` or `none` of them reached it.
/// The statuses overlap as a message's life does: a `read` receipt counts as delivered and
/// sent, a `delivered` one as sent, and an `undelivered` one as sent (the carrier took it);
/// a `failed` one never left Twilio and counts as failed only.
public struct ConversationMessageDelivery: Sendable, Equatable, Codable {
    /// How many of the receipts reached a status.
    public enum Share: String, Sendable, Codable {
        case all, some, none

        init(count: Int, of total: Int) {
            self = count == 0 ? .none : count == total ? .all : .some
        }
    }

    /// The summary over every receipt.
    public struct Summary: Sendable, Equatable, Codable {
        public let total: Int
        public let sent: Share
        public let delivered: Share
        public let read: Share
        public let undelivered: Share
        public let failed: Share
    }

    /// One participant's channel message, as its record now stands.
    public struct Receipt: Sendable, Equatable, Codable {
        /// The delivery receipt (`DY…`).
        public let sid: String?
        public let participantSid: String?
        public let channelMessageSid: String
        public let status: MessageStatus
        public let errorCode: Int?
        public let errorMessage: String?
        public let updatedAt: Date
    }

    /// The Conversations message.
    public let sid: String
    public let conversationSid: String?
    public let chatServiceSid: String?
    public let delivery: Summary
    /// One per participant's channel message, first seen first.
    public let receipts: [Receipt]

    /// The delivery of `sid` over `channelMessages`, the records linked to it; nil when there
    /// are none (no receipt for it was ever stored).
    public init?(conversationMessageSid sid: String, channelMessages: [MessageRecord]) {
        guard !channelMessages.isEmpty else { return nil }
        self.sid = sid
        conversationSid = channelMessages.lazy.compactMap(\.conversation?.conversationSid).first
        chatServiceSid = channelMessages.lazy.compactMap(\.conversation?.chatServiceSid).first
        receipts = channelMessages.map { record in
            Receipt(
                sid: record.conversation?.deliveryReceiptSid, participantSid: record.conversation?.participantSid,
                channelMessageSid: record.sid, status: record.status, errorCode: record.errorCode,
                errorMessage: record.errorMessage, updatedAt: record.updatedAt)
        }
        let statuses = receipts.map(\.status)
        func share(_ counts: Set<MessageStatus>) -> Share {
            Share(count: statuses.filter(counts.contains).count, of: statuses.count)
        }
        delivery = Summary(
            total: statuses.count, sent: share([.sent, .delivered, .read, .undelivered]),
            delivered: share([.delivered, .read]), read: share([.read]), undelivered: share([.undelivered]),
            failed: share([.failed]))
    }
}

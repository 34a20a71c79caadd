import Foundation

/// A Twilio Conversations delivery receipt: the post-event webhook with
/// `EventType=onDeliveryUpdated`, form-encoded and signed like a status callback. It tells
/// how one Conversations message (`IM…`) fares with one participant (`MB…`), through the
/// channel message (`SM…`, `MM…`, …) that carried it to them.
///
/// Conversations does not send these through Event Streams: this webhook is the only way in.
public struct ConversationsDeliveryReceipt: Sendable, Equatable {
    /// The `EventType` of a delivery receipt.
    public static let eventType = "onDeliveryUpdated"

    /// `DeliveryReceiptSid` (`DY…`): the same receipt through all its statuses.
    public let deliveryReceiptSid: String
    /// `MessageSid`: the Conversations message (`IM…`).
    public let conversationMessageSid: String
    /// `ChannelMessageSid`: the message on the participant's channel (`SM…`, `MM…`, …).
    public let channelMessageSid: String
    /// `ConversationSid` (`CH…`).
    public let conversationSid: String?
    /// `ChatServiceSid` (`IS…`).
    public let chatServiceSid: String?
    /// `ParticipantSid` (`MB…`).
    public let participantSid: String?
    /// `AccountSid`.
    public let accountSid: String?
    /// `Status`: `sent`, `delivered`, `read`, `undelivered`, `failed`.
    public let status: MessageStatus
    /// `ErrorCode`, when present, numeric and not `0`.
    public let errorCode: Int?
    /// `DateUpdated`, else `DateCreated`: when the receipt took this status.
    public let updatedAt: Date?
    /// Every parameter as received.
    public let parameters: FormBody

    /// Reads a receipt from the webhook's form parameters.
    ///
    /// - Throws: ``StatusCallbackError/missingField(_:)`` naming the first of
    ///   `DeliveryReceiptSid`, `MessageSid`, `ChannelMessageSid`, `Status` that is missing.
    public init(parameters: FormBody) throws(StatusCallbackError) {
        func value(_ name: String) -> String? { parameters.trimmedValue(name) }
        func required(_ name: String) throws(StatusCallbackError) -> String {
            guard let found = value(name) else { throw .missingField(name) }
            return found
        }
        deliveryReceiptSid = try required("DeliveryReceiptSid")
        conversationMessageSid = try required("MessageSid")
        channelMessageSid = try required("ChannelMessageSid")
        status = MessageStatus(wireValue: try required("Status").lowercased())
        conversationSid = value("ConversationSid")
        chatServiceSid = value("ChatServiceSid")
        participantSid = value("ParticipantSid")
        accountSid = value("AccountSid")
        errorCode = value("ErrorCode").flatMap { Int($0) }.flatMap { $0 == 0 ? nil : $0 }
        updatedAt = (value("DateUpdated") ?? value("DateCreated")).flatMap(TwilioTimestamp.parse)
        self.parameters = parameters
    }
}

/// Where a channel message belongs in Twilio Conversations: the Conversations message (`IM…`)
/// it delivers to one participant, and that participant. Set on the record of a message
/// that a Conversations delivery receipt told of, so that
/// `GET /v1/conversations/messages/{IM…}` gathers every participant's message.
public struct ConversationLink: Sendable, Equatable, Codable {
    /// The Conversations message (`IM…`).
    public let messageSid: String
    /// The conversation (`CH…`).
    public let conversationSid: String?
    /// The Conversations service (`IS…`).
    public let chatServiceSid: String?
    /// The participant this channel message went to (`MB…`).
    public let participantSid: String?
    /// The delivery receipt (`DY…`) that tells this participant's delivery.
    public let deliveryReceiptSid: String?

    public init(
        messageSid: String, conversationSid: String?, chatServiceSid: String?, participantSid: String?,
        deliveryReceiptSid: String?
    ) {
        self.messageSid = messageSid
        self.conversationSid = conversationSid
        self.chatServiceSid = chatServiceSid
        self.participantSid = participantSid
        self.deliveryReceiptSid = deliveryReceiptSid
    }
}

import TwilioWebhooks

extension StatusReport {
    /// The report of a Conversations delivery receipt, about the participant's channel
    /// message (`ChannelMessageSid`): source ``ReportSource/conversations``, the receipt's
    /// `DateUpdated` as its event time, the receipt and its status as its dedupe key (a
    /// receipt goes through several statuses), and the link to the Conversations message
    /// and participant.
    public init(_ receipt: ConversationsDeliveryReceipt) {
        self.init(
            source: .conversations, messageSid: receipt.channelMessageSid, status: receipt.status,
            errorCode: receipt.errorCode, eventAt: receipt.updatedAt,
            dedupeKey: "\(receipt.deliveryReceiptSid)/\(receipt.status.wireValue)", accountSid: receipt.accountSid,
            channel: Channel(channelPrefix: nil, addresses: [], messageSid: receipt.channelMessageSid, mediaCount: nil),
            conversation: ConversationLink(
                messageSid: receipt.conversationMessageSid, conversationSid: receipt.conversationSid,
                chatServiceSid: receipt.chatServiceSid, participantSid: receipt.participantSid,
                deliveryReceiptSid: receipt.deliveryReceiptSid),
            fields: receipt.parameters)
    }
}

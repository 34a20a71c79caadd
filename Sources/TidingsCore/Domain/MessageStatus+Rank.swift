import TwilioWebhooks

extension MessageStatus {
    /// The status's place in a message's life, used by ``StatusMachine``: a callback only
    /// moves a message to a higher rank.
    ///
    /// | rank | statuses |
    /// |---|---|
    /// | 0 | `accepted`, `scheduled` |
    /// | 1 | `queued`, `receiving` |
    /// | 2 | `sending` |
    /// | 3 | `sent` |
    /// | 4 | `delivered`, `undelivered`, `failed`, `canceled`, `partially_delivered`, `received` |
    /// | 5 | `read` |
    ///
    /// `nil` for ``MessageStatus/unknown(_:)``: an unknown status never moves a message.
    public var rank: Int? {
        switch self {
        case .accepted, .scheduled: 0
        case .queued, .receiving: 1
        case .sending: 2
        case .sent: 3
        case .delivered, .undelivered, .failed, .canceled, .partiallyDelivered, .received: 4
        case .read: 5
        case .unknown: nil
        }
    }

    /// Whether the message's fate is settled (rank 4 or more): nothing later changes
    /// whether it reached its recipient, except a read receipt.
    public var isFinal: Bool { (rank ?? 0) >= 4 }

    /// Whether this final status says the message did not reach its recipient.
    public var isFailure: Bool {
        switch self {
        case .undelivered, .failed, .canceled: true
        default: false
        }
    }
}

/// Which of Twilio's ways of telling a message's fate a ``StatusReport`` came from. Every
/// history entry and every ``StatusChange`` carries it, so a record says how each piece of
/// news arrived.
public enum ReportSource: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A message status callback (`StatusCallback` of the message): form-encoded, signed.
    case callback
    /// A Twilio Event Streams webhook sink: CloudEvents, `com.twilio.messaging.message.*`.
    case eventStream = "event-stream"
    /// A Conversations delivery receipt (`onDeliveryUpdated`).
    case conversations
    /// The Messages API, read by reconciliation.
    case api

    /// The name in documents and logs: `callback`, `event-stream`, `conversations`, `api`.
    public var description: String { rawValue }
}

/// An address Tidings can store masked (`--redact to,from`), for phone numbers that must
/// not be kept in clear.
public enum RedactedField: String, Sendable, CaseIterable {
    case to
    case from

    /// The callback parameter that carries it.
    public var parameterName: String {
        switch self {
        case .to: "To"
        case .from: "From"
        }
    }

    /// The field of an Event Streams event that carries it (``TwilioWebhooks/MessagingEvent/fields``).
    public var eventFieldName: String {
        "data." + rawValue
    }
}

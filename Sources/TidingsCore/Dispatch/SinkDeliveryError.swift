/// Why a sink could not take a batch, and whether and when trying again may help.
///
/// Sinks throw it from ``EventSink/deliver(_:)``; any other error counts as a transient
/// failure with no hint.
public struct SinkDeliveryError: Error, CustomStringConvertible, Sendable {
    /// In words for the operator ("HTTP 503 from https://…", "connection refused").
    public let description: String
    /// How long the destination asked to be left alone (`Retry-After`), if it said.
    public let retryAfter: Duration?
    /// True when the destination refused these changes for good (a 4xx that is not 408
    /// or 429): retrying the same batch will not help, so it goes to the dead letters at
    /// once. Anything else — an outage, a timeout, a full disk — is retried for up to
    /// ``DeliveryPolicy/maximumAge``.
    public let isPermanent: Bool

    public init(_ description: String, retryAfter: Duration? = nil, isPermanent: Bool = false) {
        self.description = description
        self.retryAfter = retryAfter
        self.isPermanent = isPermanent
    }
}

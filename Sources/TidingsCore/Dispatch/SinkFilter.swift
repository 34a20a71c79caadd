import TwilioWebhooks

/// Which changes a sink wants. Empty sets mean "all"; the dispatcher applies the filter,
/// so sinks never see what they did not ask for (and their cursor still moves past it).
public struct SinkFilter: Sendable, Equatable, Codable {
    /// Only changes whose message is now in one of these statuses.
    public var statuses: Set<String>
    /// Only changes on one of these channels (`sms`, `whatsapp`, …).
    public var channels: Set<String>
    /// Only changes that leave the message in a final status.
    public var onlyFinal: Bool
    /// Only changes of messages that failed (`undelivered`, `failed`, `canceled`) or carry
    /// an error code.
    public var onlyErrors: Bool

    public init(statuses: Set<String> = [], channels: Set<String> = [], onlyFinal: Bool = false, onlyErrors: Bool = false) {
        self.statuses = statuses
        self.channels = channels
        self.onlyFinal = onlyFinal
        self.onlyErrors = onlyErrors
    }

    /// Every change.
    public static let all = SinkFilter()

    /// Whether `change` passes.
    public func admits(_ change: StatusChange) -> Bool {
        (statuses.isEmpty || statuses.contains(change.status.wireValue))
            && (channels.isEmpty || channels.contains(change.channel.name))
            && (!onlyFinal || change.status.isFinal)
            && (!onlyErrors || change.status.isFailure || change.errorCode != nil)
    }
}

/// How a ``SinkDispatcher`` feeds its sinks: batch size, retries, when to give up.
public struct DeliveryPolicy: Sendable, Equatable {
    /// The most changes handed to a sink in one ``EventSink/deliver(_:)`` call.
    public var batchSize: Int = 100
    /// How many times a batch is offered before it goes to the dead letters.
    public var maximumAttempts: Int = 12
    /// A batch whose oldest change waited longer than this goes to the dead letters at its
    /// next failure, whatever the attempts left.
    public var maximumAge: Duration = .seconds(24 * 3600)
    /// The pause before the first retry; each further retry doubles it, up to
    /// ``maximumBackoff``, with random jitter of up to half of it. A sink's
    /// `Retry-After` lengthens a pause, never shortens it.
    public var initialBackoff: Duration = .milliseconds(500)
    /// The longest pause between two attempts.
    public var maximumBackoff: Duration = .seconds(300)
    /// How often an idle sink looks for changes that no notification announced (changes
    /// written by another process, or a missed wake-up).
    public var pollInterval: Duration = .seconds(1)

    /// How long one instance feeds a sink before it must renew its lease (see
    /// ``ChangeOutbox/acquireLease(of:for:duration:)``); it renews when half is left.
    /// When the holder dies, another instance on the same store takes over within this.
    public var leaseDuration: Duration = .seconds(15)
    /// How often an instance that does not feed a sink asks whether it may.
    public var leaseRetryInterval: Duration = .seconds(2)
    /// The defaults: 100 per batch, 12 attempts over about half an hour, 24 hours at most.
    public init() {}

    /// The pause before attempt `attempt + 1`, without jitter.
    func backoff(afterAttempt attempt: Int) -> Duration {
        var pause = initialBackoff
        for _ in 1..<max(attempt, 1) where pause < maximumBackoff {
            pause *= 2
        }
        return min(pause, maximumBackoff)
    }
}

/// How a ``SinkDispatcher`` feeds its sinks: batch size, retries, when to give up.
///
/// There is no limit on the number of attempts: a sink that is down (connection errors,
/// timeouts, `429`, `5xx`, a full disk) is waited out for up to ``maximumAge``, however
/// many callbacks arrive meanwhile; only a permanent refusal
/// (``SinkDeliveryError/isPermanent``) sends a batch to the dead letters before that.
public struct DeliveryPolicy: Sendable, Equatable {
    /// The most changes handed to a sink in one ``EventSink/deliver(_:)`` call.
    public var batchSize: Int = 100
    /// How long a failing batch is retried: one whose oldest change waited longer than
    /// this goes to the dead letters at its next failure.
    public var maximumAge: Duration = .seconds(24 * 3600)
    /// The pause before the first retry; each further retry doubles it, up to
    /// ``maximumBackoff``, with random jitter of up to half of it on top. A sink's
    /// `Retry-After` lengthens a pause, never shortens it. Pauses wait for time only:
    /// changes arriving meanwhile do not end them.
    public var initialBackoff: Duration = .milliseconds(500)
    /// The longest pause between two attempts (before jitter and `Retry-After`).
    public var maximumBackoff: Duration = .seconds(300)
    /// How long an idle sink, once changes arrive, waits for more to join them in one batch
    /// (up to ``batchSize``): at 250 callbacks a second a sink then takes about ten batches a
    /// second — ten webhook requests — instead of 250 batches of one, and its loop wakes that
    /// much less. A whole batch waiting ends the wait at once, and a sink that is busy takes
    /// what is waiting without one. Zero hands over every commit's changes as it comes.
    public var gatherWindow: Duration = .milliseconds(100)
    /// How often an idle sink looks for changes that no notification announced (changes
    /// written by another process, or a missed wake-up).
    public var pollInterval: Duration = .seconds(1)
    /// How often a sink's cursor is written to the store while it takes changes: delivered
    /// batches in between cost no commit. After a crash, what a sink took since the last
    /// write is delivered again (at least once; ``StatusChange/id`` tells the repeats).
    public var cursorSaveInterval: Duration = .seconds(1)

    /// How long one instance feeds a sink before it must renew its lease (see
    /// ``SinkLeasing/acquireLease(of:for:duration:)``); it renews when half is left.
    /// When the holder dies, another instance on the same store takes over within this.
    public var leaseDuration: Duration = .seconds(15)
    /// How often an instance that does not feed a sink asks whether it may.
    public var leaseRetryInterval: Duration = .seconds(2)
    /// The defaults: 100 per batch, gathered for up to 0.1 s; retries 0.5 s, 1 s, 2 s, … up
    /// to 5 min apart (plus jitter), for 24 hours.
    public init() {}

    /// The pause before attempt `attempt + 1`, without jitter.
    func backoff(afterAttempt attempt: Int) -> Duration {
        var pause = initialBackoff
        for _ in 1..<max(attempt, 1) {
            guard pause < maximumBackoff else { break }
            pause *= 2
        }
        return min(pause, maximumBackoff)
    }
}

/// What one reconciliation pass did: the `POST /v1/reconcile` answer.
public struct ReconcileSummary: Sendable, Equatable, Codable {
    /// Messages asked about.
    public var checked = 0
    /// Messages whose status the answer moved.
    public var changed = 0
    /// Messages Tidings had never heard of (found by the sweep; none without one).
    public var discovered = 0
    /// Messages Twilio does not know (`404`).
    public var notFound = 0
    /// Messages that could not be asked about (network, `5xx` after retries, odd answers).
    public var failed = 0
    /// Why the pass stopped early (refused credentials), when it did.
    public var stopped: String?

    public init() {}
}

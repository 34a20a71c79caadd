/// How a reconciliation pass ended: the `outcome` label of `tidings_reconcile_passes_total`.
public enum ReconcilePassOutcome: String, Sendable, CaseIterable {
    /// Every message was asked about (some may have failed one by one).
    case completed
    /// Twilio refused the credentials (`401`/`403`) and the pass stopped.
    case refused
    /// The store failed, or the pass lost its lease, and the pass stopped.
    case failed
}

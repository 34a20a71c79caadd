/// The names of the attributes Tidings puts on its trace spans, in one place so that every
/// span says the same thing the same way.
///
/// They follow OpenTelemetry's semantic conventions where one fits (`messaging.message.id`)
/// and are under `tidings.` otherwise. Spans are recorded only when tracing is on
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`); see docs/tracing.md.
public enum SpanAttributeName {
    /// The message SID (`SM…`, `MM…`) a span is about.
    public static let messageSid = "messaging.message.id"
    /// The status a report carries (`delivered`, …).
    public static let messageStatus = "tidings.message.status"
    /// What became of the work: `accepted`, `duplicate`, `forged`, … for a callback
    /// (``CallbackOutcome`` in the server), `recorded` or `duplicate` for a commit,
    /// `delivered` or `failed` for a sink delivery.
    public static let outcome = "tidings.outcome"
    /// How many reports the transaction that stored this one held (group commit).
    public static let storeBatchSize = "tidings.store.batch_size"
    /// Whether a request's `X-Twilio-Signature` was valid.
    public static let signatureValid = "tidings.signature.valid"
    /// The sink a delivery went to.
    public static let sinkName = "tidings.sink.name"
    /// How many changes one delivery carried.
    public static let sinkBatchSize = "tidings.sink.batch_size"
    /// The outbox sequence number of the first change of a delivery.
    public static let sinkFirstSeq = "tidings.sink.first_seq"
    /// The outbox sequence number of the last change of a delivery.
    public static let sinkLastSeq = "tidings.sink.last_seq"
    /// Which attempt at the batch this delivery is (1 for the first).
    public static let sinkAttempt = "tidings.sink.attempt"
    /// The window a reconciliation pass swept, in seconds (absent without a sweep).
    public static let reconcileSweepSeconds = "tidings.reconcile.sweep_seconds"
    /// How many messages a reconciliation pass checked with Twilio.
    public static let reconcileChecked = "tidings.reconcile.checked"
    /// How many of them moved or were discovered.
    public static let reconcileChanged = "tidings.reconcile.changed"
}

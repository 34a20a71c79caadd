import HTTPTypes

/// How Tidings answered one status callback, what became of one Event Streams event, or of
/// one Conversations webhook: the `outcome` label of `tidings_callbacks_total`,
/// `tidings_events_total` and `tidings_receipts_total`.
public enum CallbackOutcome: String, Sendable, CaseIterable {
    /// `204`: a new callback, durably stored.
    case accepted
    /// `204`: an exact repeat of a callback already stored.
    case duplicate
    /// `403`: no signature, or one valid under no configured auth token.
    case forged
    /// `400`: a body that does not decode, or one without `MessageSid`/`MessageStatus`.
    case malformed
    /// `415`: neither a form nor a JSON body.
    case unsupportedMediaType = "unsupported_media_type"
    /// `413`: a body over the size limit.
    case tooLarge = "too_large"
    /// An Event Streams element that is no message event, or a Conversations receipt without
    /// its SIDs, kept in the quarantine (events and receipts only).
    case quarantined
    /// A Conversations webhook of another event type: acknowledged, not stored (receipts only).
    case ignored
    /// `503`: the store could not take the callback.
    case storeUnavailable = "store_unavailable"
    /// `429`: a client address past its limit of failed signatures.
    case rateLimited = "rate_limited"

    /// The outcome a refusal with `status` stands for; nil for a status the callback route
    /// does not refuse with.
    public init?(refusal status: HTTPResponse.Status) {
        switch status {
        case .forbidden: self = .forged
        case .badRequest: self = .malformed
        case .unsupportedMediaType: self = .unsupportedMediaType
        case .contentTooLarge: self = .tooLarge
        case .serviceUnavailable: self = .storeUnavailable
        case .tooManyRequests: self = .rateLimited
        default: return nil
        }
    }
}

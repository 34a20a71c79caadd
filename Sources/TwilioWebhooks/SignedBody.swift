/// The part of a webhook request body that its `X-Twilio-Signature` covers.
public enum SignedBody: Sendable, Equatable {
    /// An `application/x-www-form-urlencoded` body: every parameter is signed.
    case form(FormBody)
    /// An `application/json` body, as the raw bytes received. Twilio does not sign it
    /// directly: it puts its SHA-256 in the URL's `bodySHA256` query parameter and signs the
    /// URL alone.
    case json(bytes: [UInt8])
    /// No body (or one that is not signed): only the URL is signed.
    case none
}

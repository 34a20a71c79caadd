/// The outcome of checking a webhook's `X-Twilio-Signature`, detailed enough to log why a
/// request was refused. No case carries a secret.
public enum SignatureVerdict: Sendable, Equatable {
    /// The signature matches under one of the configured secrets.
    case valid
    /// The request has no `X-Twilio-Signature`, or an empty one.
    case missingSignature
    /// `X-Twilio-Webhooks-Signature-Settings` names an algorithm this library does not know.
    case unsupportedAlgorithm(name: String)
    /// The URL is not an absolute `http` or `https` URL with a host, or its port is not a
    /// number from 0 to 65535, so no URL Twilio could have signed can be derived from it.
    case malformedURL(String)
    /// A JSON body arrived but the URL's query has no (non-empty) `bodySHA256` parameter.
    case missingBodyHash
    /// A JSON body's SHA-256 differs from the URL's `bodySHA256` parameter: the body was
    /// altered, or the URL used is not the one Twilio requested.
    case bodyHashMismatch
    /// No configured secret signs any of these URLs (with these parameters) to the given
    /// signature. Log the URLs on a refusal: a URL that differs from the one configured at
    /// Twilio (scheme, host, port, path prefix, query) is the usual cause. The URLs are
    /// derived from the one passed to the validator, so they carry whatever it carried.
    case mismatch(triedURLs: [String])

    /// Whether the request may be trusted.
    public var isValid: Bool { self == .valid }
}

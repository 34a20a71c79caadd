import Hummingbird
import Logging
import TidingsCore
import Tracing
import TwilioWebhooks

/// The `X-Twilio-Signature` check of every route Twilio posts to (status callbacks, Event
/// Streams), with the limit on failed signatures per client address that the routes share.
///
/// | what is wrong | answer |
/// |---|---|
/// | no auth token configured | `403` saying to set one |
/// | signature missing, or valid under no auth token | `403`, logged with the URL used |
/// | a JSON body without `bodySHA256`, or one that does not match it | `403` |
/// | the client's address failed too many signatures | `429` with `Retry-After` |
struct SignatureCheck: Sendable {
    let validator: SignatureValidator
    /// Whether any auth token is configured (without one, every request is refused).
    let hasAuthTokens: Bool
    /// Failed signatures per client address (``FailureRateLimiter``).
    let failureLimiter: FailureRateLimiter

    /// Passes when `request`'s signature holds for `url` and `body`.
    ///
    /// - Throws: ``CallbackRefusal``: a `403` carrying what to log, or a `429` once the client
    ///   at `address` has failed too many.
    ///
    /// A `signature check` span of the request's trace names the URL checked (`url.full`)
    /// and the verdict (`tidings.signature.valid`): what to compare with the URL Twilio
    /// signed when callbacks get `403`.
    func verify(_ request: Request, url: String, body: SignedBody, from address: String) throws {
        let span = startSpan("signature check")
        defer { span.end() }
        do {
            try check(request, url: url, body: body)
            record(valid: true, url: url, on: span)
        } catch let refusal as CallbackRefusal {
            record(valid: false, url: url, on: span)
            if let wait = failureLimiter.recordFailure(of: address) {
                let seconds = Int((wait / .seconds(1)).rounded(.up))
                throw CallbackRefusal(error: APIError(
                    .tooManyRequests, code: "too_many_failures",
                    message: "Too many requests from this address failed the signature check; wait \(seconds) s. Requests with a valid signature are always accepted.",
                    headers: [.retryAfter: "\(seconds)"]))
            }
            throw refusal
        }
    }

    /// Names the URL checked and the verdict on `span`, when it is recorded (with tracing
    /// off, no attributes are built on this hot path).
    private func record(valid: Bool, url: String, on span: any Span) {
        guard span.isRecording else { return }
        span.attributes["url.full"] = url
        span.attributes[SpanAttributeName.signatureValid] = valid
    }

    /// - Throws: ``CallbackRefusal`` (a `403`) carrying what to log.
    private func check(_ request: Request, url: String, body: SignedBody) throws {
        guard hasAuthTokens else {
            throw CallbackRefusal(
                error: APIError(
                    .forbidden, code: "invalid_signature",
                    message: "Tidings has no Twilio auth token configured, so it cannot check signatures. Set TIDINGS_AUTH_TOKEN."),
                logMessage: "no auth token is configured", logMetadata: ["url": "\(url)"])
        }
        let verdict = validator.validate(
            signature: request.headers[.twilioSignature], url: url, body: body,
            signatureSettings: request.headers[.twilioSignatureSettings])
        guard let refusal = Refusal(verdict, url: url) else { return }
        throw CallbackRefusal(
            error: APIError(.forbidden, code: refusal.code, message: refusal.message),
            logMessage: refusal.logMessage,
            logMetadata: refusal.triedURLs.isEmpty
                ? ["url": "\(url)"]
                : ["url": "\(url)", "triedURLs": "\(refusal.triedURLs.joined(separator: " "))"])
    }
}

/// Why a signature check refused a request, in words for the log and for the caller.
/// Never carries a secret.
private struct Refusal {
    let code: String
    let logMessage: String
    let message: String
    var triedURLs: [String] = []

    init?(_ verdict: SignatureVerdict, url: String) {
        switch verdict {
        case .valid:
            return nil
        case .missingSignature:
            code = "missing_signature"
            logMessage = "no X-Twilio-Signature header"
            message = "The request has no X-Twilio-Signature header; only Twilio's signed callbacks are accepted."
        case .unsupportedAlgorithm(let name):
            code = "invalid_signature"
            logMessage = "unsupported signature algorithm \(name)"
            message = "X-Twilio-Webhooks-Signature-Settings names the algorithm \(name), which Tidings does not support."
        case .malformedURL(let url):
            code = "invalid_signature"
            logMessage = "the request URL cannot be rebuilt"
            message = "\(url) is not a URL Twilio could have signed; check --public-url and the Host header."
        case .missingBodyHash:
            code = "invalid_signature"
            logMessage = "JSON body without bodySHA256"
            message = "A JSON body must come with a bodySHA256 query parameter, as Twilio sends it."
        case .bodyHashMismatch:
            code = "invalid_signature"
            logMessage = "body does not match bodySHA256"
            message = "The body's SHA-256 does not match the bodySHA256 in the URL."
        case .mismatch(let triedURLs):
            code = "invalid_signature"
            logMessage = "signature does not match (the URL must be exactly the StatusCallback URL Twilio used; behind a proxy set --public-url)"
            message = "The X-Twilio-Signature is not valid for \(url) under any configured auth token. If Twilio reaches Tidings through a proxy or tunnel, set --public-url to the base URL Twilio uses."
            self.triedURLs = triedURLs
        }
    }
}

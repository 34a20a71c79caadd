import Foundation
import Hummingbird
import Logging
import TidingsCore
import TwilioWebhooks

/// `POST` on the callback path: checks the signature, reads the callback, stores it, and
/// answers `204` only once it is durably stored.
///
/// | what is wrong | answer |
/// |---|---|
/// | content type neither form nor JSON | `415` |
/// | a `Content-Encoding` (gzip, …) | `415` naming it |
/// | body over the size limit | `413` |
/// | more parameters than ``maximumParameters`` | `413` |
/// | body that does not decode | `400` naming the parameter |
/// | no `Host` and no `--public-url` | `400` (the signed URL cannot be rebuilt) |
/// | signature missing, or valid under no auth token | `403`, logged with the URL used |
/// | the client's address failed too many signatures | `429` with `Retry-After` |
/// | no `MessageSid` or `MessageStatus` | `400` naming it |
/// | a NUL character in a parameter | `400` naming the parameter |
/// | store cannot take it | `503` (Twilio may retry) |
///
/// Refusals go to ``RefusalLog``: the first of each kind in full, the rest counted.
struct CallbackController: Sendable {
    let validator: SignatureValidator
    /// Whether any auth token is configured (without one, every callback is refused).
    let hasAuthTokens: Bool
    let urlResolver: SignedURLResolver
    /// Masks the addresses `--redact` names, after the signature check.
    let redactor: AddressRedactor
    let store: any StatusRecording
    let maximumBodySize: Int
    /// The most parameters a body may have; a real callback has about 20.
    let maximumParameters: Int
    /// Failed signatures per client address (``FailureRateLimiter``).
    let failureLimiter: FailureRateLimiter
    let refusals: RefusalLog
    /// Told of every commit and failed commit, for `/readyz`.
    let commits: CommitHealth
    let metrics: TidingsMetrics
    let logger: Logger

    func addRoutes(to router: some RouterMethods<TidingsRequestContext>, path: String) {
        router.post(RouterPath(path)) { request, context in
            try await receive(request, from: urlResolver.clientAddress(of: request, remoteAddress: context.remoteAddress))
        }
        .refuseMethods(on: RouterPath(path), except: [.post])
    }

    /// Handles one callback from the client at `address`, counting its outcome and how
    /// long it took.
    func receive(_ request: Request, from address: String) async throws -> Response {
        let start = ContinuousClock.now
        defer { metrics.callbackHandled(seconds: (ContinuousClock.now - start) / .seconds(1)) }
        do {
            return try await handle(request, from: address)
        } catch let refusal as CallbackRefusal {
            CallbackOutcome(refusal: refusal.error.status).map(metrics.callbackAnswered)
            refusals.refused(
                code: refusal.error.code, from: address, message: refusal.logMessage ?? refusal.error.message,
                metadata: refusal.logMetadata)
            throw refusal.error
        } catch let error as APIError {
            CallbackOutcome(refusal: error.status).map(metrics.callbackAnswered)
            refusals.refused(code: error.code, from: address, message: error.message, metadata: [:])
            throw error
        }
    }

    private func handle(_ request: Request, from address: String) async throws -> Response {
        let kind = try BodyKind(contentType: request.headers[.contentType])
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "The body is sent with Content-Encoding \(FormBody.DecodingError.printable(encoding)); Twilio sends callbacks unencoded. Send the body as it is.")
        }
        let bytes = try await collectBody(of: request)
        guard let url = urlResolver.url(for: request) else {
            throw APIError(
                .badRequest, code: "missing_host",
                message: "The request has no Host header, so the URL Twilio signed cannot be rebuilt. Set --public-url to the base URL Twilio uses.")
        }
        let parameters: FormBody
        let signedBody: SignedBody
        switch kind {
        case .form:
            parameters = try decodeForm(bytes)
            signedBody = .form(parameters)
        case .json:
            parameters = try JSONCallbackBody.parameters(from: bytes)
            signedBody = .json(bytes: bytes)
        }
        guard parameters.parameters.count <= maximumParameters else {
            throw APIError(
                .contentTooLarge, code: "too_many_parameters",
                message: "The body has \(parameters.parameters.count) parameters; a Twilio status callback has about 20 (at most \(maximumParameters) are accepted).")
        }
        do {
            try checkSignature(of: request, url: url, body: signedBody)
        } catch let refusal as CallbackRefusal {
            if let wait = failureLimiter.recordFailure(of: address) {
                let seconds = Int((wait / .seconds(1)).rounded(.up))
                throw CallbackRefusal(error: APIError(
                    .tooManyRequests, code: "too_many_failures",
                    message: "Too many requests from this address failed the signature check; wait \(seconds) s. Requests with a valid signature are always accepted.",
                    headers: [.retryAfter: "\(seconds)"]))
            }
            throw refusal
        }
        try rejectNULCharacters(in: parameters)

        let callback: StatusCallback
        do throws(StatusCallbackError) {
            callback = try StatusCallback(
                parameters: redactor.redact(parameters), idempotencyToken: request.headers[.twilioIdempotencyToken])
        } catch {
            throw APIError(
                .badRequest, code: "missing_field",
                message: "The callback has no \(error.field). Twilio always sends it; is this request a message status callback?",
                field: error.field)
        }
        for warning in callback.warnings {
            logger.warning("callback kept with a problem", metadata: ["sid": "\(callback.messageSid)", "problem": "\(warning)"])
        }

        let outcome: RecordOutcome
        let writeStart = ContinuousClock.now
        do {
            outcome = try await store.record(StatusReport(callback), receivedAt: Date())
            metrics.storeWrite(seconds: (ContinuousClock.now - writeStart) / .seconds(1))
        } catch {
            commits.failed()
            logger.error("store refused a callback", metadata: ["sid": "\(callback.messageSid)", "error": "\(error)"])
            throw APIError(
                .serviceUnavailable, code: "store_unavailable",
                message: "The callback could not be stored, so it was not acknowledged. Twilio may retry it.")
        }
        commits.committed()
        if let change = outcome.change {
            metrics.callbackAnswered(.accepted)
            metrics.recorded(change)
        } else {
            metrics.callbackAnswered(.duplicate)
            logger.debug("duplicate callback acknowledged", metadata: ["sid": "\(callback.messageSid)", "status": "\(callback.status)"])
        }
        return Response(status: .noContent)
    }

    private func collectBody(of request: Request) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: maximumBodySize))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(
                .contentTooLarge, code: "body_too_large",
                message: "The body is over \(maximumBodySize) bytes; a Twilio status callback is far smaller.")
        }
    }

    private func decodeForm(_ bytes: [UInt8]) throws -> FormBody {
        do {
            return try FormBody(parsing: bytes)
        } catch {
            throw APIError(.badRequest, code: "malformed_body", message: "The form body does not decode: \(error).")
        }
    }

    /// No Twilio parameter carries a NUL character, and PostgreSQL cannot store one in
    /// text: such a body is malformed, and the answer names the parameter.
    private func rejectNULCharacters(in parameters: FormBody) throws {
        guard let parameter = parameters.first(where: { $0.name.utf8.contains(0) || $0.value.utf8.contains(0) }) else {
            return
        }
        let name = parameter.name.replacingOccurrences(of: "\0", with: "%00")
        throw APIError(
            .badRequest, code: "malformed_body",
            message: "The parameter \(name) contains a NUL character (%00), which no Twilio callback carries.",
            field: name)
    }

    /// - Throws: ``CallbackRefusal`` (a `403`) carrying what to log.
    private func checkSignature(of request: Request, url: String, body: SignedBody) throws {
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

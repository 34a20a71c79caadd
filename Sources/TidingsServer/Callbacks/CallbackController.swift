import Foundation
import Hummingbird
import Logging
import TidingsCore
import Tracing
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
///
/// Each callback is a `status callback` span naming the message SID, its status and the
/// ``CallbackOutcome`` (`tidings.outcome`), around the `signature check` and `store commit`
/// spans.
struct CallbackController: Sendable {
    let signatures: SignatureCheck
    let bodies: WebhookBodyReader
    let urlResolver: SignedURLResolver
    /// Masks the addresses `--redact` names, after the signature check.
    let redactor: AddressRedactor
    let store: any StatusRecording
    /// The most parameters a body may have; a real callback has about 20.
    let maximumParameters: Int
    let refusals: RefusalLog
    /// Told of every commit and failed commit, for `/readyz`.
    let commits: CommitHealth
    let metrics: TidingsMetrics
    let logger: Logger

    func addRoutes(to router: some RouterMethods<TidingsRequestContext>, path: String) {
        router.postWebhook(path, addresses: urlResolver, refusals: refusals, count: metrics.callbackAnswered) {
            request, address in
            let start = ContinuousClock.now
            defer { metrics.callbackHandled(seconds: (ContinuousClock.now - start) / .seconds(1)) }
            return try await withSpan("status callback") { span in
                do {
                    return try await handle(request, from: address, span: span)
                } catch {
                    let status = (error as? CallbackRefusal)?.error.status ?? (error as? any HTTPResponseError)?.status
                    span.attributes[SpanAttributeName.outcome] = status.flatMap(CallbackOutcome.init(refusal:))?.rawValue
                    throw error
                }
            }
        }
    }

    private func handle(_ request: Request, from address: String, span: any Span) async throws -> Response {
        let kind = try BodyKind(contentType: request.headers[.contentType])
        let bytes = try await bodies.read(request, expecting: "status callbacks")
        let url = try urlResolver.signedURL(for: request)
        let parameters: FormBody
        let signedBody: SignedBody
        switch kind {
        case .form:
            parameters = try WebhookBodyReader.form(from: bytes)
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
        try signatures.verify(request, url: url, body: signedBody, from: address)
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
        if span.isRecording {
            span.attributes[SpanAttributeName.messageSid] = callback.messageSid
            span.attributes[SpanAttributeName.messageStatus] = callback.status.description
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
            // The store's group commit logs why (the first failure in full, then one line a
            // minute), and the refusal log counts the refusals: one line a callback would
            // flood the log whenever every commit fails.
            logger.debug("store refused a callback", metadata: ["sid": "\(callback.messageSid)", "error": "\(error)"])
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
        if span.isRecording {
            span.attributes[SpanAttributeName.outcome] = (outcome.change == nil ? CallbackOutcome.duplicate : .accepted).rawValue
        }
        return Response(status: .noContent)
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
}

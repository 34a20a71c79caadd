import Foundation
import Hummingbird
import Logging
import TidingsCore
import TwilioWebhooks

/// `POST` on the Conversations path (`--conversations-path`, default `/twilio/conversations`):
/// the post-event webhook of a Conversations service, form-encoded and signed like a status
/// callback. A delivery receipt (`EventType=onDeliveryUpdated`) becomes a
/// ``TidingsCore/StatusReport`` (source `conversations`) about the participant's channel
/// message, linked to its Conversations message and participant, and is answered `204` once
/// stored. Every other event type is answered `204`, counted
/// (`tidings_receipts_total{outcome="ignored"}`), not stored. A receipt without its SIDs or
/// status is kept in the quarantine with its reason.
///
/// The refusals are the callback route's: `415` (not a form), `413`, `403`, `429`, `400` for
/// a body that does not decode, `503` when the store cannot take it.
struct ConversationsController: Sendable {
    let signatures: SignatureCheck
    let bodies: WebhookBodyReader
    let urlResolver: SignedURLResolver
    /// Masks the addresses `--redact` names in what the quarantine keeps.
    let redactor: AddressRedactor
    let store: any StatusRecording & ReportQuarantine
    let refusals: RefusalLog
    /// Told of every commit and failed commit, for `/readyz`.
    let commits: CommitHealth
    let metrics: TidingsMetrics
    let logger: Logger

    func addRoutes(to router: some RouterMethods<TidingsRequestContext>, path: String) {
        router.postWebhook(path, addresses: urlResolver, refusals: refusals, count: { metrics.receiptAnswered($0) }) {
            request, address in try await handle(request, from: address)
        }
    }

    private func handle(_ request: Request, from address: String) async throws -> Response {
        guard try BodyKind(contentType: request.headers[.contentType]) == .form else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Conversations posts its webhooks as application/x-www-form-urlencoded; this path takes nothing else.")
        }
        let bytes = try await bodies.read(request, expecting: "Conversations webhooks")
        let url = try urlResolver.signedURL(for: request)
        let form = try WebhookBodyReader.form(from: bytes)
        try signatures.verify(request, url: url, body: .form(form), from: address)
        guard form.trimmedValue("EventType") == ConversationsDeliveryReceipt.eventType else {
            metrics.receiptAnswered(.ignored)
            return Response(status: .noContent)
        }
        let report: StatusReport
        do throws(StatusCallbackError) {
            report = StatusReport(try ConversationsDeliveryReceipt(parameters: form))
        } catch {
            try await storing {
                try await store.quarantine([QuarantinedReport(
                    source: .conversations, reason: "the delivery receipt has no \(error.field)",
                    eventId: form.trimmedValue("DeliveryReceiptSid"), document: redactor.redact(form).encoded(),
                    receivedAt: Date())])
            }
            metrics.receiptAnswered(.quarantined)
            return Response(status: .noContent)
        }
        let outcome = try await storing { try await store.record(report, receivedAt: Date()) }
        if let change = outcome.change {
            metrics.receiptAnswered(.accepted)
            metrics.recorded(change)
        } else {
            metrics.receiptAnswered(.duplicate)
        }
        return Response(status: .noContent)
    }

    /// Runs a store call whose failure means the webhook is not acknowledged: `503`, and
    /// Twilio retries.
    private func storing<Result>(_ call: () async throws -> Result) async throws -> Result {
        do {
            let result = try await call()
            commits.committed()
            return result
        } catch {
            commits.failed()
            logger.error("store refused a Conversations receipt", metadata: ["error": "\(error)"])
            throw APIError(
                .serviceUnavailable, code: "store_unavailable",
                message: "The receipt could not be stored, so it was not acknowledged. Twilio may retry it.")
        }
    }
}

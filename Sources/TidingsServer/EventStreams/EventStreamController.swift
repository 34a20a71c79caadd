import Foundation
import Hummingbird
import Logging
import TidingsCore
import TwilioWebhooks

/// `POST` on the Event Streams path (`--events-path`, default `/twilio/events`): the target of
/// a Twilio Event Streams webhook sink subscribed to `com.twilio.messaging.message.*`.
///
/// A delivery is a JSON array of CloudEvents (one object is read as one event), signed with
/// `X-Twilio-Signature` over the URL carrying `bodySHA256`. Each message event becomes a
/// ``TidingsCore/StatusReport`` (source `event-stream`, deduplicated by its CloudEvent `id`)
/// and every one of them is recorded before the answer: `200` with what became of them, or
/// `503` when any could not be stored (Twilio delivers the batch again; what was stored
/// is then a repeat). An element that is no message event Tidings reads — an unknown type,
/// no `data.messageSid` — is kept in the quarantine (`GET /v1/quarantine`) with its reason
/// and the batch is still acknowledged: a `4xx` would make Twilio drop every event of it.
///
/// | what is wrong | answer |
/// |---|---|
/// | not `application/json` | `415` |
/// | a `Content-Encoding`, a body over the size limit | `415`, `413` |
/// | signature missing or invalid, no `bodySHA256` or a body that does not match it | `403` |
/// | the client's address failed too many signatures | `429` with `Retry-After` |
/// | a body that is not JSON, or neither an array nor an object | `400` |
/// | an element that is no message event | kept in quarantine, `200` |
/// | store cannot take it | `503` (Twilio retries) |
struct EventStreamController: Sendable {
    let signatures: SignatureCheck
    let bodies: WebhookBodyReader
    let urlResolver: SignedURLResolver
    /// Masks the addresses `--redact` names, after the signature check.
    let redactor: AddressRedactor
    let store: any StatusRecording & ReportQuarantine
    let refusals: RefusalLog
    /// Told of every commit and failed commit, for `/readyz`.
    let commits: CommitHealth
    let metrics: TidingsMetrics
    let logger: Logger

    /// What became of a delivery's events: the `200` answer's body.
    struct Receipt: Codable, Equatable {
        /// Events that told something new, now stored.
        var accepted = 0
        /// Events stored before (the same CloudEvent `id`).
        var duplicates = 0
        /// Elements that are no message event, kept in the quarantine.
        var quarantined = 0
    }

    func addRoutes(to router: some RouterMethods<TidingsRequestContext>, path: String) {
        router.postWebhook(path, addresses: urlResolver, refusals: refusals, count: { metrics.eventAnswered($0) }) {
            request, address in try await handle(request, from: address)
        }
    }

    private func handle(_ request: Request, from address: String) async throws -> Response {
        guard try BodyKind(contentType: request.headers[.contentType]) == .json else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Event Streams posts application/json; this path takes nothing else. Status callbacks go to the callback path.")
        }
        let bytes = try await bodies.read(request, expecting: "Event Streams deliveries")
        let url = try urlResolver.signedURL(for: request)
        try signatures.verify(request, url: url, body: .json(bytes: bytes), from: address)
        let items: [MessagingEventBatch.Item]
        do throws(MessagingEventBatch.MalformedBody) {
            items = try MessagingEventBatch.items(of: bytes)
        } catch {
            throw APIError(
                .badRequest, code: "malformed_body",
                message: "The body is no Event Streams delivery: \(error). Twilio posts a JSON array of CloudEvents.")
        }
        let receivedAt = Date()
        var reports: [StatusReport] = []
        var unreadable: [QuarantinedReport] = []
        for item in items {
            switch item {
            case .event(let event):
                reports.append(redactor.redact(StatusReport(event)))
            case .unreadable(let element):
                unreadable.append(QuarantinedReport(
                    source: .eventStream, reason: element.reason, eventId: element.id,
                    document: redactor.redact(json: element.json), receivedAt: receivedAt))
            }
        }
        if let first = unreadable.first {
            logger.warning(
                "Event Streams sent elements Tidings cannot read; kept in the quarantine (GET /v1/quarantine)",
                metadata: ["count": "\(unreadable.count)", "reason": "\(first.reason)", "event": "\(first.eventId ?? "none")"])
        }
        var receipt = Receipt()
        do {
            try await store.quarantine(unreadable)
            let outcomes = try await record(reports, receivedAt: receivedAt)
            commits.committed()
            for outcome in outcomes {
                if let change = outcome.change {
                    receipt.accepted += 1
                    metrics.recorded(change)
                } else {
                    receipt.duplicates += 1
                }
            }
        } catch {
            commits.failed()
            logger.error("store refused Event Streams events", metadata: ["events": "\(items.count)", "error": "\(error)"])
            throw APIError(
                .serviceUnavailable, code: "store_unavailable",
                message: "The events could not all be stored, so the delivery was not acknowledged. Twilio delivers it again.")
        }
        receipt.quarantined = unreadable.count
        metrics.eventAnswered(.accepted, count: receipt.accepted)
        metrics.eventAnswered(.duplicate, count: receipt.duplicates)
        metrics.eventAnswered(.quarantined, count: receipt.quarantined)
        return try JSONResponse.make(receipt)
    }

    /// Records every report at once, so that they share the store's group commits; returns
    /// their outcomes once all are stored, or throws the first failure.
    private func record(_ reports: [StatusReport], receivedAt: Date) async throws -> [RecordOutcome] {
        try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
            for report in reports {
                group.addTask { try await store.record(report, receivedAt: receivedAt) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

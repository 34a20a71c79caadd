import Foundation
import Logging
import TidingsCore
import TwilioWebhooks

/// Asks Twilio about the messages whose reports went quiet, and records each answer as a
/// report of source `api`: the safety net under lost status callbacks (Twilio itself
/// advises fetching any message not final after a while).
///
/// A pass takes every message still in flight whose last change is older than
/// ``quietFor``, in the listing's order, and fetches it, at most ``rate`` requests a second. A busy
/// answer (`429`, `5xx`) is asked again after its `Retry-After` (else one second), up to
/// ``attempts`` times; refused credentials (`401`/`403`) stop the pass; a `404` is recorded
/// as a history entry that never moves the status (``TidingsCore/StatusReport/notFound(sid:channel:)``).
struct Reconciler: Sendable {
    let store: any StatusRecording & MessageQuerying
    let client: TwilioMessagesClient
    /// How long a message in flight must have gone without news before Twilio is asked.
    let quietFor: TimeInterval
    /// The most requests a second.
    let rate: Double
    /// How many times a busy answer is asked again before the message counts as failed.
    var attempts = 3
    let logger: Logger
    /// Waits between requests and after a busy answer; tests record the waits instead.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    /// One pass at `now`.
    func pass(now: Date) async throws -> ReconcileSummary {
        var summary = ReconcileSummary()
        var query = MessageQuery()
        query.isFinal = false
        query.until = now.addingTimeInterval(-quietFor)
        query.limit = 1000
        let spacing = Duration.seconds(1 / max(rate, 0.001))
        var first = true
        while true {
            let page = try await store.messages(matching: query)
            for record in page.messages {
                guard let account = record.accountSid else { continue }  // nothing to ask without an account
                if !first { try await sleep(spacing) }
                first = false
                summary.checked += 1
                switch try await ask(about: record, account: account, into: &summary) {
                case .stop(let reason):
                    summary.stopped = reason
                    logger.error("reconciliation stopped", metadata: ["reason": "\(reason)"])
                    return summary
                case .next: continue
                }
            }
            guard let cursor = page.nextCursor.flatMap(MessageCursor.init(token:)) else { return summary }
            query.cursor = cursor
        }
    }

    private enum Step { case next, stop(String) }

    private func ask(about record: MessageRecord, account: String, into summary: inout ReconcileSummary) async throws -> Step {
        for attempt in 1...attempts {
            switch await client.fetch(sid: record.sid, accountSid: account) {
            case .message(let resource):
                let outcome = try await store.record(StatusReport(resource), receivedAt: Date())
                if outcome.change?.applied == true { summary.changed += 1 }
                return .next
            case .notFound:
                summary.notFound += 1
                _ = try await store.record(StatusReport.notFound(sid: record.sid, channel: record.channel), receivedAt: Date())
                return .next
            case .refused(let status):
                return .stop("Twilio refused the credentials (\(status)); check TIDINGS_TWILIO_API_KEY and TIDINGS_TWILIO_API_SECRET, or the auth token")
            case .busy(let status, let retryAfter):
                logger.notice(
                    "Twilio is busy; asking again", metadata: ["sid": "\(record.sid)", "status": "\(status)", "attempt": "\(attempt)"])
                if attempt < attempts { try await sleep(min(retryAfter ?? .seconds(1), .seconds(60))) }
            case .failed(let reason):
                logger.warning("cannot ask Twilio about a message", metadata: ["sid": "\(record.sid)", "reason": "\(reason)"])
                summary.failed += 1
                return .next
            }
        }
        summary.failed += 1
        return .next
    }
}

import Foundation
import Logging
import TidingsCore
import TwilioWebhooks

/// Asks Twilio about the messages whose reports went quiet, and records each answer as a
/// report of source `api`: the safety net under lost status callbacks (Twilio itself
/// advises fetching any message not final after a while).
///
/// A pass has two parts:
/// - **The sweep** (when asked for a window): lists the messages each of ``sweptAccounts``
///   sent in that window, page by page, and records every outbound one. It finds the
///   messages Tidings never heard of (their every callback was lost: ``ReconcileSummary/discovered``)
///   and corrects final ones, which are never fetched one by one (a `read` lost after
///   `delivered`).
/// - **The fetch:** every message still in flight whose last change is older than
///   ``quietFor``, in the listing's order, not already seen by the sweep, is fetched.
///
/// At most ``rate`` requests a second. A busy answer (`429`, `5xx`) is asked again after
/// its `Retry-After` (else one second), up to ``attempts`` times; refused credentials
/// (`401`/`403`) stop the pass; a `404` is recorded as a history entry that never moves
/// the status (``TidingsCore/StatusReport/notFound(sid:channel:)``).
struct Reconciler: Sendable {
    let store: any StatusRecording & MessageQuerying
    let client: TwilioMessagesClient
    /// How long a message in flight must have gone without news before Twilio is asked.
    let quietFor: TimeInterval
    /// The most requests a second.
    let rate: Double
    /// The accounts (`AC…`) whose messages the sweep lists.
    var sweptAccounts: [String] = []
    /// How many times a busy answer is asked again before the message counts as failed.
    var attempts = 3
    let logger: Logger
    /// Waits between requests and after a busy answer; tests record the waits instead.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// Called before each request; throwing ends the pass (a lost lease).
    var beforeEachRequest: @Sendable () async throws -> Void = {}
    /// Told of every change an answer made (the metrics count them as a callback's).
    var recorded: @Sendable (StatusChange) -> Void = { _ in }

    /// One pass at `now`; with `sweep`, the sweep first lists the messages sent in the
    /// `sweep` seconds before `now`.
    func pass(now: Date, sweep: TimeInterval? = nil) async throws -> ReconcileSummary {
        var pass = Pass(spacing: .seconds(1 / max(rate, 0.001)))
        if let sweep {
            for account in sweptAccounts {
                guard try await self.sweep(account: account, since: now.addingTimeInterval(-sweep), in: &pass) else { return pass.summary }
            }
        }
        try await fetchQuietMessages(now: now, in: &pass)
        return pass.summary
    }

    /// What a pass carries from one request to the next.
    private struct Pass {
        var summary = ReconcileSummary()
        /// The messages the sweep recorded, which the fetch skips.
        var swept: Set<String> = []
        let spacing: Duration
        var requests = 0
    }

    /// Lists `account`'s messages sent since `since` and records each; false when the pass stopped.
    private func sweep(account: String, since: Date, in pass: inout Pass) async throws -> Bool {
        var path: String? = TwilioMessagesClient.firstPage(accountSid: account, sentSince: since)
        while let next = path {
            let answer = try await ask("list the messages of \(account)", in: &pass) { await client.page(at: next, accountSid: account) }
            switch answer {
            case .found(let page):
                for resource in page.messages where !resource.isInbound {
                    pass.summary.checked += 1
                    pass.swept.insert(resource.sid)
                    let outcome = try await store.record(StatusReport(resource), receivedAt: Date())
                    outcome.change.map(recorded)
                    guard let change = outcome.change, change.applied else { continue }
                    if outcome.record.history.count == 1 { pass.summary.discovered += 1 } else { pass.summary.changed += 1 }
                }
                pass.summary.failed += page.unreadable.count
                path = page.nextPageURI
            case .stop(let reason):
                pass.summary.stopped = reason
                return false
            case .notFound, .failed:
                logger.warning("cannot list the messages of an account; the sweep of it ends here", metadata: ["account": "\(account)"])
                pass.summary.failed += 1
                return true
            }
        }
        return true
    }

    /// Fetches every quiet message in flight the sweep did not see.
    private func fetchQuietMessages(now: Date, in pass: inout Pass) async throws {
        var query = MessageQuery()
        query.isFinal = false
        query.until = now.addingTimeInterval(-quietFor)
        query.limit = 1000
        while true {
            let page = try await store.messages(matching: query)
            for record in page.messages where !pass.swept.contains(record.sid) {
                guard try await fetch(record, in: &pass) else { return }
            }
            guard let cursor = page.nextCursor.flatMap(MessageCursor.init(token:)) else { return }
            query.cursor = cursor
        }
    }

    /// Fetches one message and records the answer; false when the pass stopped.
    private func fetch(_ record: MessageRecord, in pass: inout Pass) async throws -> Bool {
        pass.summary.checked += 1
        guard let account = record.accountSid else {
            logger.warning("cannot ask Twilio about a message whose account is unknown", metadata: ["sid": "\(record.sid)"])
            pass.summary.failed += 1
            return true
        }
        switch try await ask("fetch \(record.sid)", in: &pass, { await client.fetch(sid: record.sid, accountSid: account) }) {
        case .found(let resource):
            let outcome = try await store.record(StatusReport(resource), receivedAt: Date())
            outcome.change.map(recorded)
            if outcome.change?.applied == true { pass.summary.changed += 1 }
        case .notFound:
            pass.summary.notFound += 1
            let outcome = try await store.record(StatusReport.notFound(sid: record.sid, channel: record.channel), receivedAt: Date())
            outcome.change.map(recorded)
        case .failed:
            pass.summary.failed += 1
        case .stop(let reason):
            pass.summary.stopped = reason
            return false
        }
        return true
    }

    private enum Asked<Value> { case found(Value), notFound, failed, stop(String) }

    /// Sends `request`, spaced from the pass's last one, and again while Twilio is busy.
    private func ask<Value>(
        _ what: String, in pass: inout Pass, _ request: () async -> TwilioMessagesClient.Answer<Value>
    ) async throws -> Asked<Value> {
        if pass.requests > 0 { try await sleep(pass.spacing) }
        pass.requests += 1
        for attempt in 1...attempts {
            try await beforeEachRequest()
            switch await request() {
            case .found(let value): return .found(value)
            case .notFound: return .notFound
            case .refused(let status):
                let reason = "Twilio refused the credentials (\(status)); check TIDINGS_TWILIO_API_KEY and TIDINGS_TWILIO_API_SECRET, or the auth token"
                logger.error("reconciliation stopped", metadata: ["reason": "\(reason)"])
                return .stop(reason)
            case .busy(let status, let retryAfter):
                logger.notice("Twilio is busy; asking again", metadata: ["request": "\(what)", "status": "\(status)", "attempt": "\(attempt)"])
                if attempt < attempts { try await sleep(min(retryAfter ?? .seconds(1), .seconds(60))) }
            case .failed(let reason):
                logger.warning("a request to Twilio failed", metadata: ["request": "\(what)", "reason": "\(reason)"])
                return .failed
            }
        }
        return .failed
    }
}

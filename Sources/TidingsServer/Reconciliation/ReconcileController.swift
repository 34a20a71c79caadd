import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `POST /v1/reconcile[?sweep=24h]`: one reconciliation pass now, through
/// ``ReconciliationPasses`` (so never two at once, on any instance), answered with its
/// ``ReconcileSummary`` once it is done. With `sweep`, the pass first lists the messages
/// sent in that window (``Reconciler``).
struct ReconcileController: Sendable {
    /// Nil when there is nothing to sign in to Twilio with.
    let passes: ReconciliationPasses?
    let logger: Logger
    /// The longest window a sweep may list.
    static let longestSweep: TimeInterval = 31 * 86_400

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.post("reconcile") { request, _ in try await reconcile(request) }
            .refuseMethods(on: "reconcile", except: [.post])
    }

    private func reconcile(_ request: Request) async throws -> Response {
        let sweep = try QueryParameters(request).duration("sweep", maximum: Self.longestSweep)
        guard let passes else {
            throw APIError(
                .conflict, code: "not_configured",
                message: "Reconciliation has no credentials: set TIDINGS_TWILIO_API_KEY and TIDINGS_TWILIO_API_SECRET, or TIDINGS_AUTH_TOKEN.")
        }
        if sweep != nil, passes.reconciler.sweptAccounts.isEmpty {
            throw APIError(
                .conflict, code: "not_configured",
                message: "The sweep lists an account's messages: set TIDINGS_TWILIO_ACCOUNT_SID (comma-separated for several accounts).")
        }
        switch try await storeCall(logger: logger, { try await passes.run(now: Date(), sweep: sweep) }) {
        case .ran(let summary):
            return try JSONResponse.make(summary)
        case .busy:
            throw APIError(.conflict, code: "already_running", message: "A reconciliation pass is running; ask again when it is done.")
        }
    }
}

import Foundation
import Hummingbird
import Logging
import Synchronization
import TidingsCore

/// `POST /v1/reconcile`: one reconciliation pass now (``Reconciler``), answered with its
/// ``ReconcileSummary`` once it is done. One pass runs at a time.
struct ReconcileController: Sendable {
    /// Nil when there is nothing to sign in to Twilio with.
    let reconciler: Reconciler?
    let logger: Logger
    /// Whether a pass runs now, shared by the route's copies.
    private let running = PassGate()

    init(reconciler: Reconciler?, logger: Logger) {
        self.reconciler = reconciler
        self.logger = logger
    }

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.post("reconcile") { _, _ in try await reconcile() }
            .refuseMethods(on: "reconcile", except: [.post])
    }

    private func reconcile() async throws -> Response {
        guard let reconciler else {
            throw APIError(
                .conflict, code: "not_configured",
                message: "Reconciliation has no credentials: set TIDINGS_TWILIO_API_KEY and TIDINGS_TWILIO_API_SECRET, or TIDINGS_AUTH_TOKEN.")
        }
        guard running.flag.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw APIError(.conflict, code: "already_running", message: "A reconciliation pass is running; ask again when it is done.")
        }
        defer { running.flag.store(false, ordering: .releasing) }
        let summary = try await storeCall(logger: logger) { try await reconciler.pass(now: Date()) }
        logger.info(
            "reconciliation pass done",
            metadata: ["checked": "\(summary.checked)", "changed": "\(summary.changed)", "notFound": "\(summary.notFound)", "failed": "\(summary.failed)"])
        return try JSONResponse.make(summary)
    }
}

/// One flag behind a reference, so that every copy of the controller sees the same.
private final class PassGate: Sendable {
    let flag = Atomic<Bool>(false)
}

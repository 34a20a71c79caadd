import Hummingbird
import Logging
import TidingsCore

/// `GET /healthz` (the process answers) and `GET /readyz` (the store answers, and can
/// commit callbacks: see ``CommitHealth``).
///
/// `/readyz` is open to anyone, so its answers say what failed in general terms only; the
/// store's own words (which may name a database host or a path) go to the log.
struct HealthController: Sendable {
    let store: any MessageQuerying
    let commits: CommitHealth
    let logger: Logger

    private struct Health: Encodable {
        let status: String
    }

    func addRoutes(to router: some RouterMethods) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(Health(status: "ok"))
        }
        .refuseMethods(on: "/healthz", except: [.get])
        router.get("/readyz") { _, _ in
            if commits.recentFailure != nil {
                throw APIError(
                    .serviceUnavailable, code: "store_unavailable",
                    message: "The store could not commit a callback just now, so this instance is not taking callbacks; the server's log says why.")
            }
            do {
                try await store.checkAvailability()
            } catch {
                logger.error("readiness check: the store does not answer", metadata: ["error": "\(error)"])
                throw APIError(
                    .serviceUnavailable, code: "store_unavailable",
                    message: "The store does not answer; the server's log says why.")
            }
            return try JSONResponse.make(Health(status: "ready"))
        }
        .refuseMethods(on: "/readyz", except: [.get])
    }
}

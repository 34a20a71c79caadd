import Hummingbird
import TidingsCore

/// `GET /healthz` (the process answers) and `GET /readyz` (the store answers too).
struct HealthController: Sendable {
    let store: any StatusStore

    private struct Health: Encodable {
        let status: String
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(Health(status: "ok"))
        }
        router.get("/readyz") { _, _ in
            do {
                try await store.checkAvailability()
            } catch {
                throw APIError(.serviceUnavailable, code: "store_unavailable", message: "The store does not answer: \(error).")
            }
            return try JSONResponse.make(Health(status: "ready"))
        }
    }
}

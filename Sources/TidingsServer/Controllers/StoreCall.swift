import Logging
import TidingsCore

/// Runs a store call for an API answer, turning its failure into a `503
/// store_unavailable` in general terms. The error itself — which may name the database's
/// host, user or a file path — goes to the operational log only.
func storeCall<Result>(logger: Logger, _ call: () async throws -> Result) async throws -> Result {
    do {
        return try await call()
    } catch let error as APIError {
        throw error
    } catch {
        logger.error("the store could not answer an API request", metadata: ["error": "\(error)"])
        throw APIError.storeUnavailable
    }
}

extension APIError {
    /// The store did not answer: said in general terms, the details are in the log.
    static let storeUnavailable = APIError(
        .serviceUnavailable, code: "store_unavailable",
        message: "The store cannot answer right now; the server's log says why. Try again shortly.")
}

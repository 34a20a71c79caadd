import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/quarantine?limit=N`: what a source sent that Tidings could not read as a report,
/// newest first, each with its reason and the document as sent.
struct QuarantineController: Sendable {
    let quarantine: any ReportQuarantine
    let logger: Logger

    /// The most entries one answer holds, and the default.
    static let maximumLimit = 500
    static let defaultLimit = 100

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("quarantine") { request, _ in
            let limit = try Self.limit(in: request.uri.queryParameters)
            let reports = try await storeCall(logger: logger) { try await quarantine.quarantinedReports(limit: limit) }
            return try JSONResponse.make(["quarantined": reports])
        }
        .refuseMethods(on: "quarantine", except: [.get])
    }

    private static func limit(in parameters: Parameters) throws -> Int {
        guard let text = parameters["limit"] else { return defaultLimit }
        guard let limit = Int(text), (1...maximumLimit).contains(limit) else {
            throw APIError(
                .badRequest, code: "invalid_parameter",
                message: "limit must be a whole number from 1 to \(maximumLimit).", field: "limit")
        }
        return limit
    }
}

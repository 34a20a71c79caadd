import Foundation
import Hummingbird
import TidingsCore

/// What Twilio's error codes mean, from the ``TidingsCore/ErrorCatalog``:
/// `GET /v1/errors` lists every code Tidings explains, `GET /v1/errors/{code}` one of them
/// (title, meaning, whether a retry can help, Twilio's page). The console asks it about the
/// code of the message on screen.
struct ErrorsController: Sendable {
    let catalog: ErrorCatalog

    /// Adds the routes to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("errors") { _, _ in
            try JSONResponse.make(["errors": catalog.entries])
        }
        .refuseMethods(on: "errors", except: [.get])

        api.get("errors/:code") { _, context in
            let text = try context.parameters.percentDecoded("code")
            guard let code = Int(text), code > 0 else {
                throw APIError(.badRequest, code: "invalid_parameter", message: "code: \(text) is not an error code (a number such as 30003).", field: "code")
            }
            guard let entry = catalog.entry(for: code) else {
                throw APIError(
                    .notFound, code: "not_found",
                    message: "Tidings does not explain error \(code); Twilio's page for it is \(ErrorCatalog.docsURL(for: code))")
            }
            return try JSONResponse.make(entry)
        }
        .refuseMethods(on: "errors/:code", except: [.get])
    }
}

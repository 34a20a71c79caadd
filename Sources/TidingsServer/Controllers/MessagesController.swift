import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/messages/{sid}` (what happened to one message) and `GET /v1/messages` (a
/// filtered page of them, newest change first).
struct MessagesController: Sendable {
    let store: any MessageQuerying
    let redactor: AddressRedactor
    let logger: Logger

    /// Adds the routes to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("messages/:sid") { _, context in
            try await message(sid: try context.parameters.percentDecoded("sid"))
        }
        .refuseMethods(on: "messages/:sid", except: [.get])
        api.get("messages") { request, _ in
            try await list(try MessageQuery(parameters: QueryParameters(request), redactor: redactor))
        }
        .refuseMethods(on: "messages", except: [.get])
    }

    func message(sid: String) async throws -> Response {
        let document = try await storeCall(logger: logger) { try await store.messageDocument(sid: sid) }
        guard let document else {
            throw APIError(
                .notFound, code: "not_found",
                message: "No callback for \(sid) has been received. Check the SID, and that the message's StatusCallback points at this server.")
        }
        return JSONResponse.make(document: document)
    }

    func list(_ query: MessageQuery) async throws -> Response {
        try JSONResponse.make(try await storeCall(logger: logger) { try await store.messages(matching: query) })
    }
}

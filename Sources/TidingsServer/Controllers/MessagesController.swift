import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/messages/{sid}` (what happened to one message) and `GET /v1/messages` (a
/// filtered page of them, newest change first).
struct MessagesController: Sendable {
    let store: any StatusStore
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

extension Parameters {
    /// The path parameter `name`, percent-decoded (`SM%41…` is `SMA…`).
    ///
    /// - Throws: `400 invalid_parameter` when it does not decode.
    func percentDecoded(_ name: String) throws -> String {
        let raw = try require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError(
                .badRequest, code: "invalid_parameter", message: "\(name): \(raw) is not percent-encoded correctly.",
                field: name)
        }
        return decoded
    }
}

/// JSON answers in Tidings' conventions (``TidingsCore/JSONCoding``).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = if let document = value as? any JSONWritable {
            JSONCoding.encoded(document)
        } else {
            [UInt8](try JSONCoding.makeEncoder().encode(value))
        }
        return make(document: body, status: status)
    }

    /// An answer whose body is `document`, JSON already written.
    static func make(document: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
}

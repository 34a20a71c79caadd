import Foundation
import Hummingbird
import TidingsCore

/// `GET /v1/messages/{sid}` (what happened to one message) and `GET /v1/messages` (a
/// filtered page of them, newest change first).
struct MessagesController: Sendable {
    let store: any StatusStore
    let redactor: AddressRedactor

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/messages/:sid") { _, context in
            let sid = try context.parameters.require("sid")
            return try await message(sid: sid)
        }
        router.get("/v1/messages") { request, _ in
            try await list(try query(from: QueryParameters(request)))
        }
    }

    func message(sid: String) async throws -> Response {
        let document = try await storeCall { try await store.messageDocument(sid: sid) }
        guard let document else {
            throw APIError(
                .notFound, code: "not_found",
                message: "No callback for \(sid) has been received. Check the SID, and that the message's StatusCallback points at this server.")
        }
        return JSONResponse.make(document: document)
    }

    func list(_ query: MessageQuery) async throws -> Response {
        try JSONResponse.make(try await storeCall { try await store.messages(matching: query) })
    }

    func query(from parameters: QueryParameters) throws -> MessageQuery {
        var query = MessageQuery()
        query.statuses = parameters.list("status")
        query.errorCode = try parameters.integer("errorCode")
        query.channel = parameters.string("channel")?.lowercased()
        query.to = parameters.string("to").map { redactor.fields.contains(.to) ? AddressRedactor.mask($0) : $0 }
        query.since = try parameters.time("since")
        query.until = try parameters.time("until")
        query.isFinal = try parameters.bool("final")
        query.conflict = try parameters.bool("conflict")
        query.stale = try parameters.bool("stale")
        query.limit = try parameters.integer("limit", in: 1...1000) ?? 50
        if let token = parameters.string("cursor") {
            guard let cursor = MessageCursor(token: token) else {
                throw parameters.invalid("cursor", "not a cursor this server gave out; start again without it")
            }
            query.cursor = cursor
        }
        return query
    }
}

/// Runs a store call, turning its failure into a `503`.
func storeCall<Result>(_ call: () async throws -> Result) async throws -> Result {
    do {
        return try await call()
    } catch {
        throw APIError(.serviceUnavailable, code: "store_unavailable", message: "The store cannot answer right now: \(error).")
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

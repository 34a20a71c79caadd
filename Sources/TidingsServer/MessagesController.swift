import Foundation
import Hummingbird
import TidingsCore

/// `GET /v1/messages/{sid}`: what happened to one message.
struct MessagesController: Sendable {
    let store: any StatusStore

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/messages/:sid") { _, context in
            let sid = try context.parameters.require("sid")
            return try await message(sid: sid)
        }
    }

    func message(sid: String) async throws -> Response {
        let record: MessageRecord?
        do {
            record = try await store.message(sid: sid)
        } catch {
            throw APIError(.serviceUnavailable, code: "store_unavailable", message: "The store cannot be read right now: \(error).")
        }
        guard let record else {
            throw APIError(
                .notFound, code: "not_found",
                message: "No callback for \(sid) has been received. Check the SID, and that the message's StatusCallback points at this server.")
        }
        return try JSONResponse.make(record)
    }
}

/// JSON answers in Tidings' conventions (``TidingsCore/JSONCoding``).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = try JSONCoding.makeEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

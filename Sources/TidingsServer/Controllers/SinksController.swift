import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/sinks` (how far behind each sink is) and `POST /v1/sinks/{name}/replay`
/// (deliver again from an outbox position, or the dead letters).
struct SinksController: Sendable {
    let dispatcher: SinkDispatcher
    let logger: Logger

    /// The body of a replay request: exactly one of the two.
    struct ReplayRequest: Decodable {
        /// Deliver again every change after this `seq` that is still in the outbox.
        var from: Int64?
        /// Offer the sink its dead letters again.
        var deadLetters: Bool?
    }

    struct ReplayResult: Encodable {
        let sink: String
        /// Set for a dead-letter replay: how many were delivered.
        let delivered: Int?
        /// Set for a cursor replay: the cursor the sink now has.
        let cursor: Int64?
    }

    /// Adds the routes to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("sinks") { _, _ in
            try JSONResponse.make(["sinks": try await storeCall(logger: logger) { try await dispatcher.status() }])
        }
        .refuseMethods(on: "sinks", except: [.get])
        api.post("sinks/:name/replay") { request, context in
            let name = try context.parameters.percentDecoded("name")
            let body: ReplayRequest
            do {
                body = try await request.decode(as: ReplayRequest.self, context: context)
            } catch {
                throw APIError(.badRequest, code: "malformed_body", message: Self.replayBodyHint)
            }
            return try await replay(name, body)
        }
        .refuseMethods(on: "sinks/:name/replay", except: [.post])
    }

    private static let replayBodyHint = #"Send a JSON body {"from": SEQ} or {"deadLetters": true}."#

    private func replay(_ name: String, _ request: ReplayRequest) async throws -> Response {
        guard dispatcher.sinkNames.contains(name) else {
            throw APIError(.notFound, code: "unknown_sink", message: UnknownSinkError(name: name, known: dispatcher.sinkNames).description)
        }
        switch (request.from, request.deadLetters) {
        case (let seq?, nil):
            // From `seq` on: the cursor just before it, at least 0 (`from` 0 or less is from
            // the start; `max` first, so that Int64.min cannot overflow).
            let cursor = max(seq, 1) - 1
            try await storeCall(logger: logger) { try await dispatcher.replay(name, after: cursor) }
            return try JSONResponse.make(ReplayResult(sink: name, delivered: nil, cursor: cursor))
        case (nil, true?):
            do {
                let delivered = try await dispatcher.replayDeadLetters(of: name)
                return try JSONResponse.make(ReplayResult(sink: name, delivered: delivered, cursor: nil))
            } catch {
                logger.error("a replay of dead letters failed", metadata: ["sink": "\(name)", "error": "\(error)"])
                throw APIError(
                    .badGateway, code: "sink_failed",
                    message: "The sink \(name) still refuses its dead letters; they are kept. GET /v1/sinks and the server's log say why.")
            }
        default:
            throw APIError(.badRequest, code: "malformed_body", message: Self.replayBodyHint)
        }
    }
}

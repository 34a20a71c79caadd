import Foundation
import Hummingbird
import TidingsCore

/// `GET /v1/sinks` (how far behind each sink is) and `POST /v1/sinks/{name}/replay`
/// (deliver again from an outbox position, or the dead letters).
struct SinksController: Sendable {
    let dispatcher: SinkDispatcher

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

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/sinks") { _, _ in
            try JSONResponse.make(["sinks": try await dispatcher.status()])
        }
        router.post("/v1/sinks/:name/replay") { request, context in
            let name = try context.parameters.require("name")
            let body = try await request.decode(as: ReplayRequest.self, context: context)
            return try await replay(name, body)
        }
    }

    private func replay(_ name: String, _ request: ReplayRequest) async throws -> Response {
        guard dispatcher.sinkNames.contains(name) else {
            throw APIError(.notFound, code: "unknown_sink", message: UnknownSinkError(name: name, known: dispatcher.sinkNames).description)
        }
        switch (request.from, request.deadLetters) {
        case (let seq?, nil):
            try await dispatcher.replay(name, after: max(seq - 1, 0))
            return try JSONResponse.make(ReplayResult(sink: name, delivered: nil, cursor: max(seq - 1, 0)))
        case (nil, true?):
            do {
                let delivered = try await dispatcher.replayDeadLetters(of: name)
                return try JSONResponse.make(ReplayResult(sink: name, delivered: delivered, cursor: nil))
            } catch {
                throw APIError(.badGateway, code: "sink_failed", message: "The sink \(name) still refuses its dead letters: \(error). They are kept.")
            }
        default:
            throw APIError(.badRequest, code: "malformed_body", message: #"Send {"from": SEQ} or {"deadLetters": true}."#)
        }
    }
}

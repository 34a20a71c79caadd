import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import TidingsCore

/// `GET /v1/events`: live status changes as Server-Sent Events, read from the outbox.
///
/// Each change is `id: <seq>`, `event: status`, `data: <StatusChange JSON>`. A client that
/// sends `Last-Event-ID` (browsers' `EventSource` does on reconnecting) resumes after that
/// seq, for as long as the outbox still holds it (at least an hour); without it the stream
/// starts with the next change. Filters: `status`, `channel`, `errorCode`, `final`,
/// `onlyErrors`. A comment line every 15 seconds keeps proxies from closing an idle stream;
/// the stream ends when the server shuts down (clients reconnect with `Last-Event-ID`).
struct EventsController: Sendable {
    let outbox: any ChangeOutbox
    let notifier: ChangeNotifier
    var keepAliveInterval: Duration = .seconds(15)

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/events") { request, _ in
            let parameters = QueryParameters(request)
            let filter = try filter(from: parameters)
            let start = try await startSeq(request)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await stream(from: start, filter: filter, errorCode: try parameters.integer("errorCode"), to: &writer)
                    try await writer.finish(nil)
                })
        }
    }

    private func filter(from parameters: QueryParameters) throws -> SinkFilter {
        SinkFilter(
            statuses: parameters.list("status"), channels: parameters.list("channel"),
            onlyFinal: try parameters.bool("final") ?? false, onlyErrors: try parameters.bool("onlyErrors") ?? false)
    }

    private func startSeq(_ request: Request) async throws -> Int64 {
        if let header = request.headers[.lastEventID] {
            guard let seq = Int64(header.trimmingCharacters(in: .whitespaces)), seq >= 0 else {
                throw APIError(.badRequest, code: "invalid_parameter", message: "Last-Event-ID \(header) is not an event id of this stream.", field: "Last-Event-ID")
            }
            return seq
        }
        return try await storeCall { try await outbox.latestSeq() }
    }

    private func stream(from start: Int64, filter: SinkFilter, errorCode: Int?, to writer: inout any ResponseBodyWriter) async throws {
        var cursor = start
        // An id with no data moves the client's Last-Event-ID to where this stream starts,
        // so a client that drops before its first change resumes without a gap.
        try await writer.write(ByteBuffer(string: "id: \(start)\n\n"))
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let batch = try await outbox.changes(after: cursor, limit: 200)
            var text = ""
            for change in batch where filter.admits(change) && (errorCode == nil || change.errorCode == errorCode) {
                let json = JSONCoding.encodedText(change)
                text += "id: \(change.seq ?? 0)\nevent: status\ndata: \(json)\n\n"
            }
            cursor = batch.last?.seq ?? cursor
            if text.isEmpty, ContinuousClock.now - lastWrite >= keepAliveInterval {
                text = ": keep-alive\n\n"
            }
            if !text.isEmpty {
                try await writer.write(ByteBuffer(string: text))
                lastWrite = .now
            }
            if batch.isEmpty {
                await notifier.wait(upTo: .seconds(1))
            }
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import TidingsCore

/// `GET /v1/events`: live status changes as Server-Sent Events, handed over in memory as
/// they commit (``TidingsCore/LiveChanges``) and read from the outbox to catch up.
///
/// Each change is `id: <seq>`, `event: status`, `data: <StatusChange JSON>`. A client that
/// sends `Last-Event-ID` (browsers' `EventSource` does on reconnecting) resumes after that
/// seq, for as long as the outbox still holds it (at least an hour); without it the stream
/// starts with the next change. A `Last-Event-ID` beyond the newest change (the store was
/// reset or restored from a backup) gets `event: reset` with `id: 0`, then every change
/// the outbox still holds, oldest first.
///
/// Filters: those of `GET /v1/messages` (``TidingsCore/MessageQuery``: `status`,
/// `errorCode`, `channel`, `to`, `since`, `until`, `final`, `conflict`, `stale`), read as
/// the state each change leaves its message in, plus `onlyErrors`. Every filter is checked
/// before the `200`: a bad value is a `400` naming it. A comment line every 15 seconds
/// keeps proxies from closing an idle stream; the stream ends when the server shuts down
/// (clients reconnect with `Last-Event-ID`).
struct EventsController: Sendable {
    let outbox: any ChangeOutbox
    let liveChanges: LiveChanges
    let redactor: AddressRedactor
    let logger: Logger
    var keepAliveInterval: Duration = .seconds(15)

    /// Which changes a stream shows.
    struct Filter: Sendable {
        var query: MessageQuery
        var onlyErrors: Bool

        func admits(_ change: StatusChange) -> Bool {
            query.admits(change) && (!onlyErrors || change.status.isFailure || change.errorCode != nil)
        }
    }

    /// Where a stream starts.
    enum Start: Equatable {
        /// After this seq.
        case after(Int64)
        /// The client's `Last-Event-ID` is beyond the newest change: tell it, then start
        /// from the oldest change still kept.
        case reset(lastEventID: Int64, latest: Int64)
    }

    /// Adds the route to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("events") { request, _ in
            let parameters = QueryParameters(request)
            let filter = Filter(
                query: try MessageQuery(parameters: parameters, redactor: redactor),
                onlyErrors: try parameters.bool("onlyErrors") ?? false)
            let start = try await start(request)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await liveChanges.withReader { reader in
                        try await stream(from: start, filter: filter, reader: reader, to: &writer)
                    }
                    try await writer.finish(nil)
                })
        }
        .refuseMethods(on: "events", except: [.get])
    }

    private func start(_ request: Request) async throws -> Start {
        let latest = try await storeCall(logger: logger) { try await outbox.latestSeq() }
        guard let header = request.headers[.lastEventID] else { return .after(latest) }
        guard let seq = Int64(header.trimmingCharacters(in: .whitespaces)), seq >= 0 else {
            throw APIError(
                .badRequest, code: "invalid_parameter", message: "Last-Event-ID is not an event id of this stream (a seq, 0 or more).",
                field: "Last-Event-ID")
        }
        return seq > latest ? .reset(lastEventID: seq, latest: latest) : .after(seq)
    }

    private func stream(
        from start: Start, filter: Filter, reader: LiveChangeReader, to writer: inout any ResponseBodyWriter
    ) async throws {
        var cursor: Int64
        switch start {
        case .after(let seq):
            cursor = seq
            // An id with no data moves the client's Last-Event-ID to where this stream
            // starts, so a client that drops before its first change resumes without a gap.
            try await writer.write(ByteBuffer(string: "id: \(seq)\n\n"))
        case .reset(let lastEventID, let latest):
            cursor = 0
            let data = #"{"lastEventID":\#(lastEventID),"latestSeq":\#(latest),"reason":"Last-Event-ID is beyond the newest change: the store was reset or restored. Every change still kept follows, oldest first."}"#
            try await writer.write(ByteBuffer(string: "id: 0\nevent: reset\ndata: \(data)\n\n"))
        }
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let batch = try await reader.changes(after: cursor, limit: 200, from: outbox)
            var text = ""
            for change in batch where filter.admits(change) {
                let json = JSONCoding.encodedText(change)
                text += "id: \(change.seq ?? 0)\nevent: status\ndata: \(json)\n\n"
            }
            cursor = batch.last?.seq ?? cursor
            if text.isEmpty, ContinuousClock.now - lastWrite >= keepAliveInterval {
                text = ": keep-alive\n\n"
                // An idle stream looks at the outbox too, in case a change never came through memory.
                reader.pollOutbox()
            }
            if !text.isEmpty {
                try await writer.write(ByteBuffer(string: text))
                lastWrite = .now
            }
            if batch.isEmpty {
                await reader.wait(upTo: .seconds(1))
            }
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}

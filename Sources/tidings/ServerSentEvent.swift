/// One event of a Server-Sent Events stream, as dispatched by a blank line.
struct ServerSentEvent: Sendable, Equatable {
    /// The stream's last event ID when the event was dispatched (`id:` of this event or
    /// of an earlier one); nil while the stream has set none, or after an empty `id:`.
    var id: String?
    /// The `event:` field; `message` when the event named none.
    var type: String
    /// The `data:` lines joined with line feeds.
    var data: String
}

import TidingsCore

extension MessageQuery {
    /// The filters of `GET /v1/messages` (and of `GET /v1/events`, which takes the same):
    /// `status` (comma list), `errorCode`, `channel`, `to`, `since`, `until`, `final`,
    /// `conflict`, `stale`, `limit` and `cursor`.
    ///
    /// - Parameter redactor: `to` is compared in the form the store keeps (masked under
    ///   `--redact to`).
    /// - Throws: `400 invalid_parameter` naming the first bad value (a NUL character in a
    ///   text filter among them: ``QueryParameters/text(_:)``).
    init(parameters: QueryParameters, redactor: AddressRedactor) throws {
        self.init()
        statuses = try parameters.list("status")
        errorCode = try parameters.integer("errorCode")
        channel = try parameters.text("channel")?.lowercased()
        to = try parameters.text("to").map { redactor.fields.contains(.to) ? AddressRedactor.mask($0) : $0 }
        since = try parameters.time("since")
        until = try parameters.time("until")
        isFinal = try parameters.bool("final")
        conflict = try parameters.bool("conflict")
        stale = try parameters.bool("stale")
        limit = try parameters.integer("limit", in: 1...1000) ?? 50
        if let token = try parameters.text("cursor") {
            guard let cursor = MessageCursor(token: token) else {
                throw parameters.invalid("cursor", "not a cursor this server gave out; start again without it")
            }
            self.cursor = cursor
        }
    }
}

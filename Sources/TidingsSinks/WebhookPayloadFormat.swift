import Foundation
import TidingsCore

/// The body a ``WebhookSink`` posts for each change. Both are JSON with Tidings'
/// conventions (camelCase, RFC 3339 UTC times with milliseconds, absent values omitted).
public enum WebhookPayloadFormat: Sendable, Equatable {
    /// The ``TidingsCore/StatusChange`` itself, as `application/json`.
    case plain
    /// A CloudEvents 1.0 event in structured mode, as `application/cloudevents+json`:
    /// `specversion` `1.0`, `id` the change's id, `source` as given (a URI-reference naming
    /// this Tidings, default `tidings`), `type` `dev.tidings.message.status_changed` (the
    /// same for every status; the status is `data.status`), `subject` the message SID,
    /// `time` when the callback was received, `datacontenttype` `application/json`, and
    /// `data` the ``TidingsCore/StatusChange``.
    case cloudEvents(source: String = "tidings")

    /// The request's `Content-Type`.
    var contentType: String {
        switch self {
        case .plain: "application/json"
        case .cloudEvents: CloudEventEnvelope.mediaType
        }
    }

    /// The request body for `change`.
    func body(for change: StatusChange) -> Data {
        switch self {
        case .plain: Data(JSONCoding.encoded(change))
        case .cloudEvents(let source): Data(JSONCoding.encoded(CloudEventEnvelope(change: change, source: source)))
        }
    }
}

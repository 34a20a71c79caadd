import Foundation
import TidingsCore

/// A status change as a CloudEvents 1.0 event in the structured content mode of the JSON
/// format: the context attributes and the change (`data`) in one JSON object, sent as
/// `application/cloudevents+json`.
struct CloudEventEnvelope: JSONWritable {
    /// The CloudEvents type of every change: one type, as every change has the same schema;
    /// the status is in `data.status` (and the message SID in `subject`).
    static let eventType = "dev.tidings.message.status_changed"
    /// The media type of a structured-mode CloudEvent in JSON.
    static let mediaType = "application/cloudevents+json"

    let specversion = "1.0"
    /// The change's id: unique per source, the same on every delivery.
    let id: String
    let source: String
    let type = CloudEventEnvelope.eventType
    /// The message SID.
    let subject: String
    /// When Tidings received the callback (RFC 3339).
    let time: Date
    let datacontenttype = "application/json"
    let data: StatusChange

    init(change: StatusChange, source: String) {
        id = change.id
        self.source = source
        subject = change.sid
        time = change.receivedAt
        data = change
    }

    func write(to writer: inout JSONWriter) {
        writer.object { object in
            object.field("data", data)
            object.field("datacontenttype", datacontenttype)
            object.field("id", id)
            object.field("source", source)
            object.field("specversion", specversion)
            object.field("subject", subject)
            object.field("time", time)
            object.field("type", type)
        }
    }
}

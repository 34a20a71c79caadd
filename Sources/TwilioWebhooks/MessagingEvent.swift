import Foundation

/// One CloudEvent of a Twilio Event Streams webhook sink that tells of a message:
/// `com.twilio.messaging.message.{queued,sent,delivered,undelivered,failed,read}` or
/// `com.twilio.messaging.inbound-message.received`.
///
/// Read leniently, because Twilio's own examples drift: `errorCode` comes as a number, a
/// numeric string or `""`; `messageStatus` in upper case; `timestamp` with nanoseconds;
/// `rawDlrDoneDate` as `YYMMDDhhmm` or ISO 8601; `datacontenttype` holding a date. Only
/// the event's `id`, a known `type` and `data.messageSid` are required
/// (see ``MessagingEventBatch``). Every field is kept in ``fields``.
public struct MessagingEvent: Sendable, Equatable {
    /// The CloudEvent `id`: the same on every delivery of the event.
    public let id: String
    /// The CloudEvent `type`.
    public let type: String
    /// `data.messageSid`.
    public let messageSid: String
    /// The status the event reports: `data.messageStatus` when present, else the one its
    /// `type` names (`received` for an inbound message).
    public let status: MessageStatus
    /// `data.errorCode`, when it is a number or a numeric string (not `""` or `0`).
    public let errorCode: Int?
    /// When the event happened: `data.timestamp`, else the CloudEvent `time`.
    public let timestamp: Date?
    /// `data.rawDlrDoneDate`: the carrier's done time, raw.
    public let rawDlrDoneDate: DeliveryReceiptDate?
    public let to: String?
    public let from: String?
    public let accountSid: String?
    public let messagingServiceSid: String?
    /// Every attribute as sent, `data`'s flattened to `data.<name>`; values that are not
    /// strings as their JSON text.
    public let fields: FormBody

    /// The types this reads, and the status each names.
    public static let statusOfType: [String: MessageStatus] = [
        "com.twilio.messaging.message.queued": .queued,
        "com.twilio.messaging.message.sent": .sent,
        "com.twilio.messaging.message.delivered": .delivered,
        "com.twilio.messaging.message.undelivered": .undelivered,
        "com.twilio.messaging.message.failed": .failed,
        "com.twilio.messaging.message.read": .read,
        "com.twilio.messaging.inbound-message.received": .received,
    ]

    /// Reads one event; throws the reason, in words, when it is not one this understands.
    init(object: [String: Any]) throws(MessagingEventBatch.Unreadable) {
        func text(_ value: Any?) -> String? {
            switch value {
            case let string as String:
                let trimmed = string.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty ? nil : trimmed
            case let number as NSNumber where !(value is Bool): return number.stringValue
            default: return nil
            }
        }
        let data = object["data"] as? [String: Any] ?? [:]
        guard let id = text(object["id"]) else { throw .init(reason: "the event has no id") }
        guard let type = text(object["type"]) else { throw .init(reason: "the event has no type", id: id) }
        guard let typeStatus = Self.statusOfType[type] else {
            throw .init(reason: "the type \(type) is not a message event Tidings reads", id: id)
        }
        guard let sid = text(data["messageSid"]) else {
            throw .init(reason: "the event has no data.messageSid", id: id)
        }
        self.id = id
        self.type = type
        self.messageSid = sid
        self.status = text(data["messageStatus"]).map { MessageStatus(wireValue: $0.lowercased()) } ?? typeStatus
        self.errorCode = text(data["errorCode"]).flatMap { Int($0) ?? Double($0).flatMap { Int(exactly: $0) } }
            .flatMap { $0 == 0 ? nil : $0 }
        self.timestamp = (text(data["timestamp"]) ?? text(object["time"])).flatMap(TwilioTimestamp.parse)
        self.rawDlrDoneDate = text(data["rawDlrDoneDate"]).map(DeliveryReceiptDate.init(raw:))
        self.to = text(data["to"])
        self.from = text(data["from"])
        self.accountSid = text(data["accountSid"])
        self.messagingServiceSid = text(data["messagingServiceSid"])
        self.fields = Self.flatten(object)
    }

    /// The event's attributes in name order, `data`'s as `data.<name>` in name order.
    static func flatten(_ object: [String: Any]) -> FormBody {
        func value(_ any: Any) -> String {
            if let string = any as? String { return string }
            let data = try? JSONSerialization.data(withJSONObject: any, options: [.fragmentsAllowed, .sortedKeys])
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(any)"
        }
        var parameters: [FormBody.Parameter] = []
        for name in object.keys.sorted() where name != "data" {
            parameters.append(.init(name: name, value: value(object[name]!)))
        }
        if let data = object["data"] as? [String: Any] {
            for name in data.keys.sorted() {
                parameters.append(.init(name: "data." + name, value: value(data[name]!)))
            }
        } else if let data = object["data"] {
            parameters.append(.init(name: "data", value: value(data)))
        }
        return FormBody(parameters)
    }
}

import Foundation

/// A message as Twilio's Messages API answers it (`GET /2010-04-01/Accounts/{AC…}/Messages/{SM…}.json`,
/// and each element of a list's `messages`): what reconciliation asks Twilio when the
/// callbacks about a message went quiet.
public struct MessageResource: Sendable, Equatable {
    public let sid: String
    public let accountSid: String?
    /// `status`, as the API names it.
    public let status: MessageStatus
    /// `error_code`, when not null.
    public let errorCode: Int?
    /// `date_updated` (RFC 2822, `Thu, 30 Jul 2015 20:12:33 +0000`): when the status last changed.
    public let dateUpdated: Date?
    /// `date_sent`.
    public let dateSent: Date?
    public let to: String?
    public let from: String?
    public let messagingServiceSid: String?
    /// `direction`: `outbound-api`, `outbound-call`, `outbound-reply` or `inbound`.
    public let direction: String?
    /// Every field of the answer but `body` (never stored), `subresource_uris` and `uri`,
    /// flattened as an Event Streams event's are.
    public let fields: FormBody

    /// Why an answer is no message.
    public struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads one message of an API answer.
    public init(object: [String: Any]) throws(Unreadable) {
        func text(_ name: String) -> String? {
            switch object[name] {
            case let string as String: string.isEmpty ? nil : string
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        guard let sid = text("sid") else { throw Unreadable(description: "the answer has no sid") }
        guard let status = text("status") else { throw Unreadable(description: "the answer has no status") }
        self.sid = sid
        self.status = MessageStatus(wireValue: status.lowercased())
        accountSid = text("account_sid")
        errorCode = text("error_code").flatMap { Int($0) }.flatMap { $0 == 0 ? nil : $0 }
        dateUpdated = text("date_updated").flatMap(Self.parseDate)
        dateSent = text("date_sent").flatMap(Self.parseDate)
        to = text("to")
        from = text("from")
        messagingServiceSid = text("messaging_service_sid")
        direction = text("direction")
        var kept = object
        for omitted in ["body", "subresource_uris", "uri"] { kept[omitted] = nil }
        fields = MessagingEvent.flatten(kept)
    }

    /// Reads the answer of a fetch: one message object.
    public init(json: [UInt8]) throws(Unreadable) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            throw Unreadable(description: "the answer is not a JSON object")
        }
        try self.init(object: object)
    }

    /// Whether the message was received by the account rather than sent by it.
    public var isInbound: Bool { direction == "inbound" }

    private static let rfc2822: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter
    }()

    /// An RFC 2822 time as the API writes it; nil for anything else.
    static func parseDate(_ text: String) -> Date? {
        rfc2822.date(from: text)
    }
}

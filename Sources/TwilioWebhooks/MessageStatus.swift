/// The `MessageStatus` of a Twilio message, as a status callback reports it.
///
/// The thirteen documented values of the Messages resource's status table, plus
/// ``unknown(_:)`` for any value Twilio adds later: an unknown status is kept verbatim,
/// never rejected.
public enum MessageStatus: Sendable, Hashable, CustomStringConvertible {
    /// Outbound, sent through a Messaging Service: Twilio accepted it and picks a sender.
    case accepted
    /// Scheduled for later sending (Messaging Service scheduling).
    case scheduled
    /// A scheduled message was canceled before it was sent.
    case canceled
    /// Queued at Twilio, waiting to be sent.
    case queued
    /// Twilio is handing the message to the nearest upstream carrier.
    case sending
    /// The nearest upstream carrier accepted the message.
    case sent
    /// The message could not be sent (see its error code). Not billed.
    case failed
    /// The carrier confirmed delivery to the handset.
    case delivered
    /// The carrier reported the message as not delivered (see its error code).
    case undelivered
    /// Inbound: Twilio is receiving the message.
    case receiving
    /// Inbound: Twilio received the message.
    case received
    /// The recipient opened the message (WhatsApp, RCS read receipts).
    case read
    /// Deprecated by Twilio; kept so that old callbacks still parse.
    case partiallyDelivered
    /// A value this version does not know. Kept verbatim.
    case unknown(String)

    /// Every documented status, in the order of Twilio's status table.
    public static let documented: [MessageStatus] = [
        .accepted, .scheduled, .canceled, .queued, .sending, .sent, .failed,
        .delivered, .undelivered, .receiving, .received, .read, .partiallyDelivered,
    ]

    /// Parses Twilio's wire value (`queued`, `partially_delivered`, …). Matching ignores
    /// case and surrounding white space; anything else becomes ``unknown(_:)``.
    public init(wireValue: String) {
        let normalized = wireValue.trimmingWhitespace().lowercased()
        self = Self.documented.first { $0.wireValue == normalized } ?? .unknown(wireValue)
    }

    /// The value as Twilio spells it on the wire.
    public var wireValue: String {
        switch self {
        case .accepted: "accepted"
        case .scheduled: "scheduled"
        case .canceled: "canceled"
        case .queued: "queued"
        case .sending: "sending"
        case .sent: "sent"
        case .failed: "failed"
        case .delivered: "delivered"
        case .undelivered: "undelivered"
        case .receiving: "receiving"
        case .received: "received"
        case .read: "read"
        case .partiallyDelivered: "partially_delivered"
        case .unknown(let value): value
        }
    }

    public var description: String { wireValue }

    /// Whether Twilio documents this value (false for ``unknown(_:)``).
    public var isDocumented: Bool {
        if case .unknown = self { return false }
        return true
    }
}

extension MessageStatus: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(wireValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wireValue)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        // Nearly every value starts and ends with a visible ASCII character: nothing to trim,
        // and no need to walk it as Characters.
        let visibleASCII = UInt8(ascii: "!")...UInt8(ascii: "~")
        if let first = utf8.first, let last = utf8.last, visibleASCII.contains(first), visibleASCII.contains(last) {
            return self
        }
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}

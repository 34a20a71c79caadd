import Foundation

/// Which messages `GET /v1/messages` lists, newest change first.
///
/// Every filter is optional; all given must hold. Paging is by keyset: ``cursor`` is the
/// opaque ``MessagePage/nextCursor`` of the previous page, which names the last record
/// shown by its (`updatedAt`, `sid`), so a page never repeats or skips a message that did
/// not change meanwhile. (A message that changes while you page moves to the top: the next
/// fresh query shows it.)
public struct MessageQuery: Sendable, Equatable {
    /// Current status in this set (wire values).
    public var statuses: Set<String> = []
    public var errorCode: Int?
    /// Channel name (`sms`, `whatsapp`, …).
    public var channel: String?
    /// The recipient exactly as stored (`+1555…`, `whatsapp:+1555…`).
    public var to: String?
    /// Last change at or after this time.
    public var since: Date?
    /// Last change before this time.
    public var until: Date?
    /// true: final statuses only; false: messages still in flight.
    public var isFinal: Bool?
    public var conflict: Bool?
    public var stale: Bool?
    /// At most this many records (1…1000).
    public var limit: Int = 50
    public var cursor: MessageCursor?

    public init() {}
}

/// A position in the newest-first listing: just after the message with this last change
/// time and SID.
public struct MessageCursor: Sendable, Equatable, Codable {
    public let updatedAt: Date
    public let sid: String

    public init(updatedAt: Date, sid: String) {
        self.updatedAt = updatedAt
        self.sid = sid
    }

    /// The opaque form given to API clients (URL-safe Base64 of JSON).
    public var token: String {
        let json = (try? JSONCoding.makeEncoder().encode(self)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads ``token``; nil when it is not one.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let cursor = try? JSONCoding.makeDecoder().decode(MessageCursor.self, from: data)
        else { return nil }
        self = cursor
    }
}

/// One page of a listing.
public struct MessagePage: Sendable, Equatable, Codable {
    public let messages: [MessageRecord]
    /// The cursor of the next page; nil on the last one.
    public let nextCursor: String?

    public init(messages: [MessageRecord], nextCursor: String?) {
        self.messages = messages
        self.nextCursor = nextCursor
    }
}

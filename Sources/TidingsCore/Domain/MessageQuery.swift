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

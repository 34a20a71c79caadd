import Foundation

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

import Foundation
import TwilioWebhooks

/// The first time a message was reported in one status.
public struct TimelineEntry: Sendable, Equatable, Codable {
    public let status: MessageStatus
    public var at: Date

    public init(status: MessageStatus, at: Date) {
        self.status = status
        self.at = at
    }
}

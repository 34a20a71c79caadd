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

extension [TimelineEntry] {
    /// Notes that the message was in `status` at `time`: a status not yet in the timeline is
    /// added; one already there keeps the earlier of its two times. The timeline stays in
    /// the order of a message's life (rank, then time).
    mutating func note(_ status: MessageStatus, at time: Date) {
        if let index = firstIndex(where: { $0.status == status }) {
            guard time < self[index].at else { return }
            self[index].at = time
        } else {
            append(TimelineEntry(status: status, at: time))
        }
        sort { ($0.status.rank ?? 0, $0.at) < ($1.status.rank ?? 0, $1.at) }
    }
}

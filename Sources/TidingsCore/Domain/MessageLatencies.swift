import Foundation
import TwilioWebhooks

/// How long one message took between the steps of its life, in seconds; nil where a step
/// is missing.
public struct MessageLatencies: Sendable, Equatable {
    public var queuedToSent: Double?
    public var sentToDelivered: Double?
    /// From the carrier's done time to the arrival of the callback that carried it.
    public var carrierToCallback: Double?

    public init(queuedToSent: Double? = nil, sentToDelivered: Double? = nil, carrierToCallback: Double? = nil) {
        self.queuedToSent = queuedToSent
        self.sentToDelivered = sentToDelivered
        self.carrierToCallback = carrierToCallback
    }

    /// The latencies read from a record's timeline.
    public init(_ record: MessageRecord) {
        func at(_ status: MessageStatus) -> Date? { record.timeline.first { $0.status == status }?.at }
        func between(_ start: Date?, _ end: Date?) -> Double? {
            guard let start, let end else { return nil }
            return end.timeIntervalSince(start)
        }
        queuedToSent = between(at(.queued), at(.sent))
        sentToDelivered = between(at(.sent), at(.delivered))
        let receipt = record.history.first { $0.params["RawDlrDoneDate"] != nil && $0.applied }?.receivedAt
        carrierToCallback = between(record.carrierDoneAt, receipt)
    }
}

import Foundation
import TwilioWebhooks

/// Adds messages up into ``MessageStats``: the one place the counting rules live, fed
/// with whole records (memory store) or with the columns a database keeps.
public struct MessageStatsBuilder: Sendable {
    private var stats = MessageStats()
    private var queuedToSent: [Double] = []
    private var sentToDelivered: [Double] = []
    private var carrierToCallback: [Double] = []

    public init() {}

    /// Counts one message from its parts.
    public mutating func add(
        status: String, channel: String, errorCode: Int?, stale: Bool, conflict: Bool,
        latencies: MessageLatencies
    ) {
        stats.total += 1
        stats.byStatus[status, default: 0] += 1
        stats.byChannel[channel, default: 0] += 1
        if let errorCode { stats.byErrorCode[errorCode, default: 0] += 1 }
        if stale { stats.stale += 1 }
        if conflict { stats.conflicts += 1 }
        latencies.queuedToSent.map { queuedToSent.append($0) }
        latencies.sentToDelivered.map { sentToDelivered.append($0) }
        latencies.carrierToCallback.map { carrierToCallback.append($0) }
    }

    /// Counts one message.
    public mutating func add(_ record: MessageRecord) {
        add(
            status: record.status.wireValue, channel: record.channel.name, errorCode: record.errorCode,
            stale: record.stale, conflict: record.conflict, latencies: MessageLatencies(record))
    }

    /// The totals.
    public func build() -> MessageStats {
        var result = stats
        result.queuedToSent = LatencySummary(samples: queuedToSent)
        result.sentToDelivered = LatencySummary(samples: sentToDelivered)
        result.carrierToCallback = LatencySummary(samples: carrierToCallback)
        return result
    }
}

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

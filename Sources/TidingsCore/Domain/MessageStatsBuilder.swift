import Foundation
import TwilioWebhooks

/// Adds messages up into ``MessageStats``: the one place the counting rules live, fed
/// with whole records (memory store) or with the groups and latency columns a database
/// keeps (the SQL stores count in SQL, grouped by status, channel and error code).
public struct MessageStatsBuilder: Sendable {
    private var stats = MessageStats()
    private var queuedToSent: [Double] = []
    private var sentToDelivered: [Double] = []
    private var carrierToCallback: [Double] = []

    public init() {}

    /// Counts `messages` messages that share a status, a channel and an error code, of
    /// which `stale` are stale and `conflicts` have conflicting reports.
    public mutating func add(
        status: String, channel: String, errorCode: Int?, messages: Int, stale: Int, conflicts: Int
    ) {
        stats.total += messages
        stats.byStatus[status, default: 0] += messages
        stats.byChannel[channel, default: 0] += messages
        if let errorCode { stats.byErrorCode[errorCode, default: 0] += messages }
        stats.stale += stale
        stats.conflicts += conflicts
    }

    /// Adds one message's latencies to the samples of the percentiles.
    public mutating func add(_ latencies: MessageLatencies) {
        latencies.queuedToSent.map { queuedToSent.append($0) }
        latencies.sentToDelivered.map { sentToDelivered.append($0) }
        latencies.carrierToCallback.map { carrierToCallback.append($0) }
    }

    /// Counts one message.
    public mutating func add(_ record: MessageRecord) {
        add(
            status: record.status.wireValue, channel: record.channel.name, errorCode: record.errorCode, messages: 1,
            stale: record.stale ? 1 : 0, conflicts: record.conflict ? 1 : 0)
        add(MessageLatencies(record))
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

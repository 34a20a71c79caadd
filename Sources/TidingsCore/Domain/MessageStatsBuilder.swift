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

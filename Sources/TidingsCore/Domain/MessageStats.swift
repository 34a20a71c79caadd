import Foundation

/// Counts of messages (not callbacks) by their current state, and how long delivery took.
public struct MessageStats: Sendable, Equatable, Codable {
    /// Messages counted.
    public var total: Int
    /// By current status (wire value).
    public var byStatus: [String: Int]
    /// By channel name.
    public var byChannel: [String: Int]
    /// By the error code of the current status (messages without one are not counted).
    public var byErrorCode: [Int: Int]
    /// Messages in flight past the stale threshold.
    public var stale: Int
    /// Messages whose callbacks disagree about their fate.
    public var conflicts: Int
    /// Seconds from the first `queued` to the first `sent`.
    public var queuedToSent: LatencySummary?
    /// Seconds from the first `sent` to the first `delivered`.
    public var sentToDelivered: LatencySummary?
    /// Seconds from the carrier's done time (`RawDlrDoneDate`) to the final callback's
    /// arrival: how late delivery receipts reach Tidings.
    public var carrierToCallback: LatencySummary?

    public init(
        total: Int = 0, byStatus: [String: Int] = [:], byChannel: [String: Int] = [:],
        byErrorCode: [Int: Int] = [:], stale: Int = 0, conflicts: Int = 0,
        queuedToSent: LatencySummary? = nil, sentToDelivered: LatencySummary? = nil,
        carrierToCallback: LatencySummary? = nil
    ) {
        self.total = total
        self.byStatus = byStatus
        self.byChannel = byChannel
        self.byErrorCode = byErrorCode
        self.stale = stale
        self.conflicts = conflicts
        self.queuedToSent = queuedToSent
        self.sentToDelivered = sentToDelivered
        self.carrierToCallback = carrierToCallback
    }
}

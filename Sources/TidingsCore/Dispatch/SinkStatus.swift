import Foundation

/// How far one sink is behind: the `GET /v1/sinks` answer for it.
public struct SinkStatus: Sendable, Equatable, Codable {
    public let name: String
    /// The highest outbox `seq` the sink has taken.
    public let cursor: Int64
    /// The highest `seq` stored.
    public let latestSeq: Int64
    /// Changes stored but not yet taken (including ones its filter will skip).
    public let lagEvents: Int64
    /// How long the oldest change not yet taken has waited, in seconds (0 when none waits).
    public let lagSeconds: Double
    /// The last delivery error, cleared by the next success.
    public let lastError: String?
    /// When ``lastError`` happened.
    public let lastErrorAt: Date?
    /// Changes given up on, waiting for a replay.
    public let deadLetters: Int

    public init(
        name: String, cursor: Int64, latestSeq: Int64, lagSeconds: Double, lastError: String?,
        lastErrorAt: Date?, deadLetters: Int
    ) {
        self.name = name
        self.cursor = cursor
        self.latestSeq = latestSeq
        self.lagEvents = max(latestSeq - cursor, 0)
        self.lagSeconds = lagSeconds
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.deadLetters = deadLetters
    }
}

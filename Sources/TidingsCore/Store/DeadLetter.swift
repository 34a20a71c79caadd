import Foundation

/// A change a sink gave up on.
public struct DeadLetter: Sendable, Equatable, Codable {
    public let change: StatusChange
    /// The last error, in words.
    public let reason: String
    /// When it was given up on.
    public let failedAt: Date

    public init(change: StatusChange, reason: String, failedAt: Date) {
        self.change = change
        self.reason = reason
        self.failedAt = failedAt
    }
}

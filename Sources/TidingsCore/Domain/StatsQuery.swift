import Foundation

/// Which messages `GET /v1/stats` counts: those whose last change falls in the window.
public struct StatsQuery: Sendable, Equatable {
    public var since: Date?
    public var until: Date?
    public var channel: String?

    public init(since: Date? = nil, until: Date? = nil, channel: String? = nil) {
        self.since = since
        self.until = until
        self.channel = channel
    }
}

import Foundation
import TidingsCore

/// The `GET /v1/stats` answer: ``TidingsCore/MessageStats`` with each error code explained
/// by the ``TidingsCore/ErrorCatalog``. The server encodes it and `tidings stats` decodes it.
public struct StatsReport: Codable, Sendable {
    /// One error code, how many messages ended with it, and what it means.
    public struct ErrorCodeCount: Codable, Sendable {
        public let code: Int
        public let count: Int
        /// Twilio's short name; nil for a code the catalog does not know.
        public let title: String?
        public let meaning: String?
        /// Whether sending again later can help; nil for an unknown code.
        public let retryable: Bool?
        public let docsURL: String
    }

    /// Delivery latency percentiles; each absent when there are no samples.
    public struct Latency: Codable, Sendable {
        public let queuedToSent: LatencySummary?
        public let sentToDelivered: LatencySummary?
        public let carrierToCallback: LatencySummary?
    }

    public let since: Date?
    public let until: Date?
    public let channel: String?
    public let total: Int
    public let byStatus: [String: Int]
    public let byChannel: [String: Int]
    /// Most frequent first.
    public let errorCodes: [ErrorCodeCount]
    public let stale: Int
    public let conflicts: Int
    public let latency: Latency
}

import Foundation
import Hummingbird
import TidingsCore

/// `GET /v1/stats?since=&until=&channel=`: messages (not callbacks) counted by their
/// current status, channel and error code — each code with what it means — plus delivery
/// latency percentiles.
struct StatsController: Sendable {
    let store: any StatusStore
    let catalog: ErrorCatalog

    /// The answer: ``TidingsCore/MessageStats`` with error codes explained.
    struct Answer: Encodable {
        struct ErrorCodeCount: Encodable {
            let code: Int
            let count: Int
            let title: String?
            let meaning: String?
            let retryable: Bool?
            let docsURL: String
        }
        struct Latency: Encodable {
            let queuedToSent: LatencySummary?
            let sentToDelivered: LatencySummary?
            let carrierToCallback: LatencySummary?
        }
        let since: Date?
        let until: Date?
        let channel: String?
        let total: Int
        let byStatus: [String: Int]
        let byChannel: [String: Int]
        /// Most frequent first.
        let errorCodes: [ErrorCodeCount]
        let stale: Int
        let conflicts: Int
        let latency: Latency
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/v1/stats") { request, _ in
            let parameters = QueryParameters(request)
            let query = StatsQuery(
                since: try parameters.time("since"), until: try parameters.time("until"),
                channel: parameters.string("channel")?.lowercased())
            return try JSONResponse.make(answer(for: query, stats: try await storeCall { try await store.stats(query) }))
        }
    }

    func answer(for query: StatsQuery, stats: MessageStats) -> Answer {
        let codes = stats.byErrorCode.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { code, count in
            let entry = catalog.entry(for: code)
            return Answer.ErrorCodeCount(
                code: code, count: count, title: entry?.title, meaning: entry?.meaning, retryable: entry?.retryable,
                docsURL: entry?.docsURL ?? ErrorCatalog.docsURL(for: code))
        }
        return Answer(
            since: query.since, until: query.until, channel: query.channel, total: stats.total,
            byStatus: stats.byStatus, byChannel: stats.byChannel, errorCodes: codes, stale: stats.stale,
            conflicts: stats.conflicts,
            latency: Answer.Latency(
                queuedToSent: stats.queuedToSent, sentToDelivered: stats.sentToDelivered,
                carrierToCallback: stats.carrierToCallback))
    }
}

import Foundation
import Hummingbird
import Logging
import TidingsCore

/// `GET /v1/stats?since=&until=&channel=`: messages (not callbacks) counted by their
/// current status, channel and error code — each code with what it means — plus delivery
/// latency percentiles.
///
/// `GET /v1/stats/series?since=&until=&bucket=&channel=`: the same messages counted by
/// current status per time bucket, each in the bucket of its last change (see
/// ``TidingsCore/SeriesQuery``), every bucket present — the console's chart of delivery
/// over time.
struct StatsController: Sendable {
    let store: any MessageQuerying
    let catalog: ErrorCatalog
    let logger: Logger

    /// Adds the routes to `api`, the `/v1` group.
    func addRoutes(to api: some RouterMethods) {
        api.get("stats") { request, _ in
            let parameters = QueryParameters(request)
            let query = StatsQuery(
                since: try parameters.time("since"), until: try parameters.time("until"),
                channel: try parameters.text("channel")?.lowercased())
            return try JSONResponse.make(answer(for: query, stats: try await storeCall(logger: logger) { try await store.stats(query) }))
        }
        .refuseMethods(on: "stats", except: [.get])

        api.get("stats/series") { request, _ in
            let query = try SeriesQuery(parameters: QueryParameters(request))
            return try JSONResponse.make(try await storeCall(logger: logger) { try await store.statusSeries(query) })
        }
        .refuseMethods(on: "stats/series", except: [.get])
    }

    func answer(for query: StatsQuery, stats: MessageStats) -> StatsReport {
        let codes = stats.byErrorCode.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { code, count in
            let entry = catalog.entry(for: code)
            return StatsReport.ErrorCodeCount(
                code: code, count: count, title: entry?.title, meaning: entry?.meaning, retryable: entry?.retryable,
                docsURL: entry?.docsURL ?? ErrorCatalog.docsURL(for: code))
        }
        return StatsReport(
            since: query.since, until: query.until, channel: query.channel, total: stats.total,
            byStatus: stats.byStatus, byChannel: stats.byChannel, errorCodes: codes, stale: stats.stale,
            conflicts: stats.conflicts,
            latency: StatsReport.Latency(
                queuedToSent: stats.queuedToSent, sentToDelivered: stats.sentToDelivered,
                carrierToCallback: stats.carrierToCallback))
    }
}

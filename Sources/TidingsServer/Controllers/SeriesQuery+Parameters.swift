import Foundation
import TidingsCore

extension SeriesQuery {
    /// The most buckets one answer has.
    static let maximumBuckets = 1000
    /// The bucket sizes `bucket` defaults to, smallest first: the first that gives at most
    /// ``defaultBucketCount`` buckets is taken (`1d` when none does).
    static let defaultBuckets: [Duration] = [
        .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(21_600), .seconds(86_400),
    ]
    /// The most buckets a default bucket size gives: bars a chart can show.
    static let defaultBucketCount = 60
    /// The longest bucket, in seconds.
    static let longestBucket: TimeInterval = 365 * 86_400

    /// The window and buckets of `GET /v1/stats/series`: `since` and `until` (RFC 3339 or a
    /// duration ago; `until` defaults to now, `since` to 24 hours before `until`), `bucket`
    /// (a duration of whole seconds; by default the smallest of ``defaultBuckets`` that
    /// gives at most ``defaultBucketCount`` buckets) and `channel`.
    ///
    /// - Throws: `400 invalid_parameter` naming the first bad value: a time or duration
    ///   that does not read, a `since` not before `until`, or more than
    ///   ``maximumBuckets`` buckets.
    init(parameters: QueryParameters) throws {
        let until = try parameters.time("until") ?? parameters.now
        let since = try parameters.time("since") ?? until.addingTimeInterval(-86_400)
        guard since < until else {
            throw parameters.invalid(
                "since",
                "\(JSONCoding.formatTimestamp(since)) is not before until (\(JSONCoding.formatTimestamp(until)))")
        }
        let channel = try parameters.text("channel")?.lowercased()
        let query: SeriesQuery
        if let seconds = try parameters.duration("bucket", maximum: Self.longestBucket) {
            guard seconds >= 1, seconds == seconds.rounded() else {
                throw parameters.invalid("bucket", "\(parameters.string("bucket") ?? "") is not a whole number of seconds")
            }
            query = SeriesQuery(since: since, until: until, bucket: .seconds(Int64(seconds)), channel: channel)
        } else {
            let candidates = Self.defaultBuckets.map {
                SeriesQuery(since: since, until: until, bucket: $0, channel: channel)
            }
            query = candidates.first { $0.bucketCount <= Self.defaultBucketCount } ?? candidates[candidates.count - 1]
        }
        guard query.bucketCount <= Self.maximumBuckets else {
            throw parameters.invalid(
                "bucket",
                "\(DurationText.text(TimeInterval(query.bucketSeconds))) buckets from \(JSONCoding.formatTimestamp(since)) "
                    + "to \(JSONCoding.formatTimestamp(until)) are \(query.bucketCount), more than "
                    + "\(Self.maximumBuckets); use a larger bucket (or a shorter window)")
        }
        self = query
    }
}

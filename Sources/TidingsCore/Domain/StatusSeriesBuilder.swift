import Foundation

/// Adds messages up into a ``StatusSeries``: the one place the counting rules of the
/// series live, fed with whole records (memory store) or with the groups a database counts
/// (the SQL stores group by bucket position and status).
public struct StatusSeriesBuilder: Sendable {
    private let query: SeriesQuery
    /// Per bucket position, the counts by status.
    private var counts: [Int: [String: Int]] = [:]

    /// An empty series of `query`'s buckets.
    public init(_ query: SeriesQuery) {
        self.query = query
    }

    /// Counts `messages` messages of `status` whose last change falls in the bucket at
    /// `position` (0 is the first bucket; see ``SeriesQuery/position(of:)``).
    public mutating func add(position: Int, status: String, messages: Int) {
        assert((0..<query.bucketCount).contains(position), "bucket \(position) is outside the series")
        guard messages > 0, (0..<query.bucketCount).contains(position) else { return }
        counts[position, default: [:]][status, default: 0] += messages
    }

    /// Counts one message, under its current status, in the bucket of its last change.
    public mutating func add(_ record: MessageRecord) {
        add(position: query.position(of: record.updatedAt), status: record.status.wireValue, messages: 1)
    }

    /// Every bucket of the series, empty ones included.
    public func build() -> StatusSeries {
        StatusSeries(
            since: query.start, until: query.end, bucketSeconds: query.bucketSeconds,
            buckets: (0..<query.bucketCount).map { position in
                let counts = counts[position] ?? [:]
                return StatusSeries.Bucket(
                    start: query.start(ofBucketAt: position), total: counts.values.reduce(0, +), counts: counts)
            })
    }
}

import Foundation

/// Messages (not callbacks) counted by their current status in consecutive time buckets,
/// each in the bucket of its last change: the `GET /v1/stats/series` answer, for charts of
/// delivery over time. See ``SeriesQuery`` for how the buckets are laid out.
public struct StatusSeries: Sendable, Equatable, Codable {
    /// The messages whose last change falls in one bucket.
    public struct Bucket: Sendable, Equatable, Codable {
        /// When the bucket begins; it ends where the next one begins.
        public var start: Date
        /// Messages counted.
        public var total: Int
        /// By current status (wire value); a status without messages is absent.
        public var counts: [String: Int]

        public init(start: Date, total: Int = 0, counts: [String: Int] = [:]) {
            self.start = start
            self.total = total
            self.counts = counts
        }
    }

    /// The start of the first bucket.
    public var since: Date
    /// The end of the last bucket (excluded).
    public var until: Date
    /// The length of every bucket.
    public var bucketSeconds: Int
    /// Every bucket from ``since`` to ``until``, oldest first, empty ones included.
    public var buckets: [Bucket]

    public init(since: Date, until: Date, bucketSeconds: Int, buckets: [Bucket]) {
        self.since = since
        self.until = until
        self.bucketSeconds = bucketSeconds
        self.buckets = buckets
    }
}

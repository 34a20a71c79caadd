import Foundation

/// Which messages `GET /v1/stats/series` counts, and the time buckets it counts them in.
///
/// Buckets are ``bucket`` long and aligned to whole multiples of it counted from the Unix
/// epoch (UTC): `1h` buckets start on the hour, `1d` buckets at midnight UTC. The first
/// bucket is the one that contains ``since``; the last is the one that contains the last
/// instant before ``until``, which is excluded as in ``StatsQuery`` — so an `until` on a
/// bucket boundary ends the series there, without an empty bucket after it.
///
/// The series counts whole buckets: the messages whose last change is from ``start`` (the
/// start of the first bucket, at or before `since`) to ``end`` (the end of the last bucket,
/// at or after `until`, excluded). A `since` or `until` inside a bucket widens the window to
/// that bucket's edge, so that no bar of a chart is a partial count.
public struct SeriesQuery: Sendable, Equatable {
    /// A time inside the first bucket.
    public let since: Date
    /// The end of the window (excluded): the last bucket is the one holding the instant
    /// just before it.
    public let until: Date
    /// The length of every bucket: a whole number of seconds, at least one.
    public let bucket: Duration
    /// Channel name (`sms`, `whatsapp`, …); nil counts every channel.
    public let channel: String?

    /// The buckets from the one containing `since` to the one containing the last instant
    /// before `until`.
    ///
    /// - Precondition: `since` is before `until`, and `bucket` is a whole number of
    ///   seconds, at least one.
    public init(since: Date, until: Date, bucket: Duration, channel: String? = nil) {
        precondition(since < until, "a series window ends after it starts")
        precondition(
            bucket >= .seconds(1) && bucket.components.attoseconds == 0, "a bucket is a whole number of seconds")
        self.since = since
        self.until = until
        self.bucket = bucket
        self.channel = channel
    }

    /// The length of a bucket in seconds.
    public var bucketSeconds: Int {
        Int(bucket.components.seconds)
    }

    /// The length of a bucket in milliseconds, the precision of stored times.
    public var bucketMilliseconds: Int64 {
        bucket.components.seconds * 1000
    }

    /// How many buckets the series has, empty ones included.
    public var bucketCount: Int {
        Int(lastBucket - firstBucket + 1)
    }

    /// The start of the first bucket: the earliest last change counted.
    public var start: Date {
        boundary(firstBucket)
    }

    /// ``start`` as Unix time in whole milliseconds, the origin of bucket positions.
    public var startMilliseconds: Int64 {
        firstBucket * bucketMilliseconds
    }

    /// The end of the last bucket: every last change counted is before it.
    public var end: Date {
        boundary(lastBucket + 1)
    }

    /// The start of the bucket at `position` (0 is the first bucket).
    public func start(ofBucketAt position: Int) -> Date {
        boundary(firstBucket + Int64(position))
    }

    /// The position (0 is the first bucket) of the bucket that holds `time`, a stored time
    /// of a whole millisecond: what SQL stores compute from their columns as
    /// `(milliseconds − startMilliseconds) / bucketMilliseconds`.
    public func position(of time: Date) -> Int {
        let milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded())
        return Int(Self.floorDivision(milliseconds - startMilliseconds, bucketMilliseconds))
    }

    /// The index, counted from the epoch, of the bucket that holds `since`.
    private var firstBucket: Int64 {
        bucketIndex(containing: since)
    }

    /// The index, counted from the epoch, of the bucket that holds the last instant
    /// before `until`.
    private var lastBucket: Int64 {
        let index = bucketIndex(containing: until)
        return boundary(index) == until ? index - 1 : index
    }

    /// The index, counted from the epoch, of the bucket that holds `time`: found from its
    /// millisecond, then checked against the boundaries as `Date`s, so a time between two
    /// milliseconds or just off a boundary falls in the right bucket.
    private func bucketIndex(containing time: Date) -> Int64 {
        let milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        var index = Self.floorDivision(milliseconds, bucketMilliseconds)
        while boundary(index + 1) <= time { index += 1 }
        while boundary(index) > time { index -= 1 }
        return index
    }

    /// The start of the bucket with index `index` counted from the epoch.
    private func boundary(_ index: Int64) -> Date {
        Date(timeIntervalSince1970: Double(index * bucketMilliseconds) / 1000)
    }

    /// `value / divisor`, rounded down (also for times before the epoch).
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}

import Foundation

/// Percentiles of a set of durations, in seconds.
public struct LatencySummary: Sendable, Equatable, Codable {
    public let count: Int
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let max: Double

    /// The summary of `samples` (nearest-rank percentiles); nil when there are none.
    public init?(samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            sorted[Swift.max(0, Swift.min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
        count = sorted.count
        p50 = percentile(0.50)
        p90 = percentile(0.90)
        p99 = percentile(0.99)
        max = sorted[sorted.count - 1]
    }
}

import Foundation
import Synchronization

/// Counts failed signature checks per client address and says when an address has had
/// too many: a token bucket per address holding ``limit`` failures, refilled at ``limit``
/// per minute.
///
/// Only failures are counted and only failures are refused: a request with a valid
/// signature always goes through, so a flood of forgeries arriving through the same proxy
/// as Twilio never costs a real callback.
///
/// At most ``maximumAddresses`` buckets are kept; when more addresses fail at once, full
/// buckets are forgotten first, then the oldest (an attacker with many addresses gets
/// fresh buckets, never more memory).
final class FailureRateLimiter: Sendable {
    /// Failures allowed per address in a burst, and refilled per minute.
    let limit: Int
    let maximumAddresses: Int
    private let now: @Sendable () -> Date

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    init(limit: Int, maximumAddresses: Int = 10_000, now: @escaping @Sendable () -> Date = Date.init) {
        self.limit = limit
        self.maximumAddresses = maximumAddresses
        self.now = now
    }

    private var refillPerSecond: Double { Double(limit) / 60 }

    /// How many addresses have a bucket now.
    var trackedAddresses: Int { buckets.withLock { $0.count } }

    /// Counts one failure of `address`. Returns nil while the address is within its limit,
    /// otherwise how long it should wait before its next failure would be answered again.
    func recordFailure(of address: String) -> Duration? {
        let time = now()
        return buckets.withLock { buckets -> Duration? in
            var bucket = buckets[address].map { refilled($0, at: time) } ?? Bucket(tokens: Double(limit), updated: time)
            defer {
                buckets[address] = bucket
                if buckets.count > maximumAddresses { forgetSome(of: &buckets, at: time) }
            }
            guard bucket.tokens >= 1 else {
                return .seconds(max(1, ((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    private func refilled(_ bucket: Bucket, at time: Date) -> Bucket {
        let elapsed = max(0, time.timeIntervalSince(bucket.updated))
        return Bucket(tokens: min(Double(limit), bucket.tokens + elapsed * refillPerSecond), updated: time)
    }

    private func forgetSome(of buckets: inout [String: Bucket], at time: Date) {
        buckets = buckets.filter { refilled($0.value, at: time).tokens < Double(limit) }
        if buckets.count > maximumAddresses {
            let newest = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(maximumAddresses / 2)
            buckets = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
        }
    }
}

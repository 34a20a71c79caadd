import Foundation
import TidingsCore

/// How the `messages` table keeps times (`first_seen_at`, `updated_at`): Unix time in whole
/// milliseconds, as a `BIGINT` — the precision of the record's JSON document.
///
/// Whole numbers compare exactly, so a page cursor read back from its token names exactly
/// the row it was made from, and a time filter admits exactly the records
/// ``TidingsCore/MessageQuery`` admits.
enum TimeColumn {
    /// The column value of `date`: its nearest whole millisecond (the rounding of
    /// ``TidingsCore/JSONCoding/wholeMilliseconds(_:)``).
    static func value(_ date: Date) -> Int64 {
        Int64((StorableTime.clamped(date).timeIntervalSince1970 * 1000).rounded())
    }

    /// The first whole millisecond at or after `date`: a stored time is at or after `date`
    /// exactly when its value is at or above this one — also when `date` falls between two
    /// milliseconds.
    static func lowerBound(_ date: Date) -> Int64 {
        let date = StorableTime.clamped(date)
        var milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        while Date(timeIntervalSince1970: Double(milliseconds) / 1000) < date {
            milliseconds += 1
        }
        return milliseconds
    }
}

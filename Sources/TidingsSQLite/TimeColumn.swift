import Foundation
import TidingsCore

/// How the `messages` table keeps times (`first_seen_at`, `updated_at`): Unix seconds as a
/// REAL, always of a whole millisecond — the precision of the record's JSON document.
///
/// Every value written to such a column and every value compared with one is made here,
/// from a whole number of milliseconds by the same division, so equal times are equal
/// REALs bit for bit: a page cursor read back from its token names exactly the row it
/// was made from, and a time filter admits exactly the records ``TidingsCore/MessageQuery``
/// admits.
enum TimeColumn {
    /// The column value of `date`: its nearest whole millisecond, as Unix seconds (the
    /// same rounding as ``TidingsCore/JSONCoding/wholeMilliseconds(_:)``).
    static func value(_ date: Date) -> Double {
        seconds(milliseconds: (StorableTime.clamped(date).timeIntervalSince1970 * 1000).rounded())
    }

    /// The column value of the first whole millisecond at or after `date`.
    ///
    /// A stored time is at or after `date` exactly when its column value is at or above
    /// this one, and before `date` exactly when its value is below it — also when `date`
    /// falls between two milliseconds.
    static func lowerBound(_ date: Date) -> Double {
        let date = StorableTime.clamped(date)
        var milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        while Date(timeIntervalSince1970: seconds(milliseconds: milliseconds)) < date {
            milliseconds += 1
        }
        return seconds(milliseconds: milliseconds)
    }

    /// A whole number of milliseconds as Unix seconds.
    private static func seconds(milliseconds: Double) -> Double {
        milliseconds / 1000
    }
}

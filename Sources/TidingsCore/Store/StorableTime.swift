import Foundation

/// The times a store's columns can hold: years 1 to 9999, what a record's RFC 3339
/// timestamps can write. Every store's time column clamps the times it is given to this
/// range first, so that a time from outside — a forged page token, a filter — can neither
/// overflow a column's integer nor make a search for the next whole millisecond run on
/// numbers too large to have one.
public enum StorableTime {
    /// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999Z.
    public static let range = Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// `date`, or the nearest end of ``range`` when it lies outside (the start when it is
    /// not a number).
    public static func clamped(_ date: Date) -> Date {
        guard !date.timeIntervalSince1970.isNaN else { return range.lowerBound }
        return min(max(date, range.lowerBound), range.upperBound)
    }
}

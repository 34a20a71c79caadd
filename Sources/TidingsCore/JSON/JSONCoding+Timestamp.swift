import Foundation

/// Times in Tidings' JSON: RFC 3339 in UTC with whole milliseconds,
/// `2026-11-23T19:04:07.123Z`.
///
/// Writing and reading the usual form is plain arithmetic on the calendar, because every
/// stored record, outbox change and log line carries several times; anything else goes
/// through Foundation's ISO 8601 styles. The calendar is the Gregorian one for every year,
/// as RFC 3339 says; Foundation's style counts Julian days before 1583, which no message
/// time ever is.
extension JSONCoding {
    /// `2026-11-23T19:04:07.123Z`: whole milliseconds, so that formatting what
    /// ``parseTimestamp(_:)`` read gives back the same text.
    public static func formatTimestamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendTimestamp(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``formatTimestamp(_:)``'s text for `date` to `bytes`.
    public static func appendTimestamp(_ date: Date, to bytes: inout [UInt8]) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, millisecondOfDay) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        guard (1...9999).contains(year) else {
            bytes.append(contentsOf: Array(foundationFormat(milliseconds: milliseconds).utf8))
            return
        }
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(millisecondOfDay / 3_600_000, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(millisecondOfDay / 60_000 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(millisecondOfDay / 1000 % 60, digits: 2)
        bytes.append(UInt8(ascii: "."))
        append(millisecondOfDay % 1000, digits: 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Reads an RFC 3339 time with or without fractional seconds, to the millisecond.
    public static func parseTimestamp(_ text: String) -> Date? {
        if let milliseconds = millisecondsOfUsualForm(text) {
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
        guard let date = (try? fractionalStyle.parse(text)) ?? (try? secondsStyle.parse(text)) else { return nil }
        return wholeMilliseconds(date)
    }

    /// The milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`
    /// with every field in range; nil for anything else (other offsets, other fractions),
    /// which Foundation then reads.
    private static func millisecondsOfUsualForm(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 24, bytes.last == UInt8(ascii: "Z"),
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes.count == 20 || bytes[19] == UInt8(ascii: ".")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let millisecond = bytes.count == 24 ? number(20..<23) : 0,
              year >= 1, (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        // A day past the month's end (February 30) would land in the next month.
        guard civilDate(daysSinceEpoch: days) == (year, month, day) else { return nil }
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    /// The day count since 1970-01-01 of a date in the proleptic Gregorian calendar
    /// (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivision(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Division rounding toward minus infinity, with a remainder that is never negative.
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Foundation's text for a time outside the years 1 to 9999.
    private static func foundationFormat(milliseconds: Int64) -> String {
        let (seconds, fraction) = floorDivision(milliseconds, 1000)
        let text = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(secondsStyle)
        return text.dropLast() + "." + String(1000 + fraction).dropFirst() + "Z"
    }

    private static let secondsStyle = Date.ISO8601FormatStyle()
    private static let fractionalStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

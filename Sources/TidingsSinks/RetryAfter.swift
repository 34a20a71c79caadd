import Foundation

/// The `Retry-After` response header (RFC 9110, section 10.2.3): how long to wait before
/// asking again, given as seconds or as an HTTP date.
enum RetryAfter {
    /// The pause `value` asks for at `now`: a number of seconds (`120`), or the time until
    /// an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850 and asctime
    /// forms that recipients must accept), zero when that date is past. Nil when `value`
    /// is neither.
    static func pause(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return Int64(text).map { .seconds($0) }
        }
        guard let date = httpDate(text) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

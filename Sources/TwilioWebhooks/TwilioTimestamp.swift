import Foundation

/// Reads the ISO 8601 times Twilio's JSON carries: `2025-01-01T00:00:00.000Z`, with no
/// fraction or any number of fractional digits (Event Streams sends nanoseconds:
/// `2024-05-29T10:57:57.563495225Z`), in UTC or with an offset. Kept to the millisecond.
enum TwilioTimestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    /// The instant `text` names; nil when it is not such a time.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let dot = trimmed.firstIndex(of: ".") else {
            return try? withoutFraction.parse(trimmed)
        }
        let fraction = trimmed[trimmed.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
        guard !fraction.isEmpty else { return nil }
        let milliseconds = String(fraction.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)
        let zone = trimmed[fraction.endIndex...]
        return (try? withFraction.parse(String(trimmed[..<dot]) + "." + milliseconds + zone)).map(wholeMilliseconds)
    }

    /// `date` at its nearest whole millisecond: Foundation's parse of `.123` is a hair off it.
    private static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}

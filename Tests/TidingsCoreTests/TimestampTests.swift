import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// `JSONCoding`'s times are computed by hand; Foundation's ISO 8601 styles are the reference.
@Suite("JSONCoding timestamps: the same text as Foundation's ISO 8601 style")
struct TimestampTests {
    /// Foundation's text for `milliseconds` since 1970: what Tidings wrote before its
    /// timestamps were computed by hand.
    static func foundationText(milliseconds: Int64) -> String {
        var (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        if fraction < 0 { (seconds, fraction) = (seconds - 1, fraction + 1000) }
        let text = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(Date.ISO8601FormatStyle())
        return text.dropLast() + "." + String(1000 + fraction).dropFirst() + "Z"
    }

    @Test func randomTimesFrom1583ToYear9999FormatAsFoundationDoes() {
        var random = SplitMix64(seed: 42)
        // 1583-01-01 to 9999-12-31, in milliseconds since 1970. Before 1583 Foundation
        // counts Julian days; RFC 3339 does not (see the next test).
        let first: Int64 = -12_212_553_600_000
        let last: Int64 = 253_402_300_799_999
        var samples: [Int64] = [first, last, 0, -1, 951_782_400_000, 4_107_542_399_999]
        for _ in 0..<20_000 { samples.append(first + Int64(random.next() % UInt64(last - first))) }
        for milliseconds in samples {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = JSONCoding.formatTimestamp(date)
            #expect(text == Self.foundationText(milliseconds: milliseconds), "\(milliseconds)")
            #expect(JSONCoding.parseTimestamp(text) == date, "\(text)")
        }
    }

    /// RFC 3339 uses the Gregorian calendar for every year ("proleptic"), as Python's
    /// `datetime` does: 1000-01-01 is -30,610,224,000,000 ms from 1970 there.
    @Test func timesBeforeTheGregorianReformAreProlepticGregorian() {
        let date = Date(timeIntervalSince1970: -30_610_224_000)
        #expect(JSONCoding.formatTimestamp(date) == "1000-01-01T00:00:00.000Z")
        #expect(JSONCoding.parseTimestamp("1000-01-01T00:00:00.000Z") == date)
    }

    @Test(arguments: [
        "2026-11-23T19:04:07.123Z", "2026-11-23T19:04:07Z", "2024-02-29T23:59:59.999Z",
        "2026-11-23T21:04:07.123+02:00", "2026-11-23T19:04:07.1Z", "2026-11-23T19:04:07.123456Z",
        "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23 19:04:07Z",
        "20261123T190407Z", "not a time", "",
    ])
    func parsingAgreesWithFoundation(_ text: String) {
        let foundation = ((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))).map(JSONCoding.wholeMilliseconds)
        #expect(JSONCoding.parseTimestamp(text) == foundation)
    }
}

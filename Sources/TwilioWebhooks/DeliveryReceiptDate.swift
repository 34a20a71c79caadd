import Foundation

/// The carrier's own "done" time from a delivery receipt: Twilio's `RawDlrDoneDate`.
///
/// Twilio passes it through verbatim in `YYMMDDhhmm` form (two-digit year, month, day,
/// hour, minute), in UTC; Event Streams sometimes sends it as an ISO 8601 time instead,
/// which is read too. A value that does not parse is kept raw with ``date`` nil —
/// carriers are not always tidy, and a bad receipt date must never cost the callback.
public struct DeliveryReceiptDate: Sendable, Hashable, Codable {
    /// The value exactly as received.
    public let raw: String
    /// The instant it names, or nil when ``raw`` is neither a valid `YYMMDDhhmm` time nor
    /// an ISO 8601 one.
    public let date: Date?

    /// Parses a `RawDlrDoneDate` value. Two-digit years are taken as 2000–2099.
    public init(raw: String) {
        self.raw = raw
        self.date = Self.parse(raw)
    }

    /// Whether ``raw`` named a valid time.
    public var isValid: Bool { date != nil }

    private static func parse(_ raw: String) -> Date? {
        let digits = Array(raw.utf8)
        if digits.count == 10, !digits.contains(UInt8(ascii: "-")) { return parseDigits(digits) }
        return TwilioTimestamp.parse(raw)
    }

    private static func parseDigits(_ digits: [UInt8]) -> Date? {
        guard digits.count == 10, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        func field(_ index: Int) -> Int {
            Int(digits[index] - UInt8(ascii: "0")) * 10 + Int(digits[index + 1] - UInt8(ascii: "0"))
        }
        var components = DateComponents()
        components.year = 2000 + field(0)
        components.month = field(2)
        components.day = field(4)
        components.hour = field(6)
        components.minute = field(8)
        guard (1...12).contains(components.month!), (0...23).contains(components.hour!),
              (0...59).contains(components.minute!), components.day! >= 1
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard calendar.date(from: components).map({ calendar.component(.day, from: $0) }) == components.day
        else { return nil }  // 31 April and the like roll over into the next month: reject them
        return calendar.date(from: components)
    }
}

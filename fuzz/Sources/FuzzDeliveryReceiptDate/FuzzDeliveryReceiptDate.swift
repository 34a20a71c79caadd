import Foundation
import FuzzSupport
import TwilioWebhooks

/// `DeliveryReceiptDate(raw:)` on the input as text. The type has no formatter, so the
/// harness checks it against its documentation: ten ASCII digits are valid exactly when they
/// name a real `YYMMDDhhmm` minute of 2000–2099 (leap years included), the instant is that
/// minute in UTC (computed here by plain arithmetic), and formatting the instant back as
/// `yyMMddHHmm` in UTC gives `raw` again. Anything else is valid exactly when Foundation
/// reads it as an ISO 8601 time once its fraction is cut to milliseconds (Event Streams'
/// form), and then names that instant. `raw` is always kept verbatim.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeliveryReceiptDate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let raw = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let receipt = DeliveryReceiptDate(raw: raw)
    require(receipt.raw == raw && receipt.raw.utf8.elementsEqual(raw.utf8), "raw not kept verbatim")
    let digits = Array(raw.utf8)
    guard digits.count == 10, digits.allSatisfy({ (48...57).contains($0) }) else {
        let iso = referenceISO8601(raw)
        require(receipt.date == iso, "\(raw.debugDescription) read as \(String(describing: receipt.date)), not \(String(describing: iso))")
        return 0
    }
    let expected = referenceSeconds(raw)
    require(receipt.isValid == (expected != nil), "isValid is \(receipt.isValid) for \(raw.debugDescription)")
    guard let date = receipt.date, let expected else { return 0 }
    require(date.timeIntervalSince1970 == Double(expected), "\(raw) read as \(date), not \(expected) s since 1970")
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let formatted = [parts.year! % 100, parts.month!, parts.day!, parts.hour!, parts.minute!]
        .map { $0 < 10 ? "0\($0)" : "\($0)" }.joined()
    require(formatted == raw && parts.second == 0 && (2000...2099).contains(parts.year!), "\(raw) formats back as \(formatted)")
    return 0
}

@_cdecl("FuzzDeliveryReceiptDate_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzDeliveryReceiptDate)
}

/// The instant of an ISO 8601 time as Foundation reads it, its fraction (digits after the
/// seconds' dot) cut or padded to three digits; nil when it is not one.
func referenceISO8601(_ raw: String) -> Date? {
    let text = raw.trimmingCharacters(in: .whitespaces)
    guard let dot = text.firstIndex(of: ".") else { return try? Date.ISO8601FormatStyle().parse(text) }
    let fraction = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
    guard !fraction.isEmpty else { return nil }
    let milliseconds = String((fraction + "00").prefix(3))
    let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        .parse(String(text[..<dot]) + "." + milliseconds + text[fraction.endIndex...])
    return date.map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 * 1000).rounded() / 1000) }
}

/// Seconds since 1970 of a `YYMMDDhhmm` text in 2000–2099 UTC, or nil when it is not one.
func referenceSeconds(_ raw: String) -> Int? {
    let digits = Array(raw.utf8)
    guard digits.count == 10, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
    let field = { (index: Int) in Int(digits[index] - 48) * 10 + Int(digits[index + 1] - 48) }
    let year = 2000 + field(0), month = field(2), day = field(4), hour = field(6), minute = field(8)
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...12).contains(month), (1...monthLengths[month - 1]).contains(day), hour < 24, minute < 60 else { return nil }
    // Days from 1970-01-01 to the first of `year`, then to the day.
    var days = (1970..<year).reduce(0) { total, y in total + ((y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365) }
    days += monthLengths[..<(month - 1)].reduce(0, +) + day - 1
    return ((days * 24 + hour) * 60 + minute) * 60
}

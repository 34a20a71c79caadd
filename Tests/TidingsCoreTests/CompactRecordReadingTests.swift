import Foundation
import Testing
@testable import TidingsCore
import TidingsTestSupport

/// Stored records are read back by a narrow hand-written reader first (every callback reads
/// its message's record); whatever it reads must be what `JSONDecoder` reads, and whatever
/// it does not read goes to `JSONDecoder`.
@Suite("JSONCoding.decodeRecord: the same records as JSONDecoder")
struct CompactRecordReadingTests {
    let decoder = JSONCoding.makeDecoder()

    @Test func everyWrittenRecordReadsBackWithoutJSONDecoder() throws {
        let (records, _) = try JSONWritableTests.corpus(count: 300, seed: 11)
        for record in records {
            var json = JSONCoding.encodedText(record)
            #expect(json.withUTF8(MessageRecord.init(compactJSON:)) == record)
            #expect(try decoder.decode(MessageRecord.self, from: Data(json.utf8)) == record)
        }
    }

    @Test func recordsInAnyOtherJSONReadAsJSONDecoderReadsThem() throws {
        let (records, _) = try JSONWritableTests.corpus(count: 40, seed: 12)
        let pretty = JSONCoding.makeEncoder()
        pretty.outputFormatting.insert(.prettyPrinted)
        for record in records {
            let json = String(decoding: try pretty.encode(record), as: UTF8.self)
            var copy = json
            #expect(copy.withUTF8(MessageRecord.init(compactJSON:)) == nil, "whitespace is not the compact form")
            #expect(try JSONCoding.decodeRecord(json, decoder: decoder) == record)
        }
    }

    static let minimal =
        #"{"channel":"sms","conflict":false,"firstSeenAt":"2026-11-23T19:04:07.123Z","history":[],"sid":"SM1","stale":false,"status":"sent","timeline":[],"updatedAt":"2026-11-23T19:04:07.123Z"}"#

    @Test(arguments: [
        minimal,
        // An unknown key, null, a fraction, escapes the writer never writes.
        minimal.replacingOccurrences(of: #""sid":"SM1""#, with: #""newField":[1,{"a":null}],"sid":"SM1""#),
        minimal.replacingOccurrences(of: #""sid":"SM1""#, with: #""errorCode":null,"sid":"SM1""#),
        minimal.replacingOccurrences(of: #""sid":"SM1""#, with: #""errorCode":30003.0,"sid":"SM1""#),
        minimal.replacingOccurrences(of: #""sid":"SM1""#, with: #""sid":"SM1","to":"\u00e9\/\ud83d\ude00""#),
    ])
    func otherJSONReadsAsJSONDecoderReadsIt(_ json: String) throws {
        let expected = try decoder.decode(MessageRecord.self, from: Data(json.utf8))
        #expect(try JSONCoding.decodeRecord(json, decoder: decoder) == expected)
    }

    @Test(arguments: [
        minimal.replacingOccurrences(of: #""stale":false,"#, with: ""),
        minimal.replacingOccurrences(of: #""history":[],"#, with: ""),
        minimal.replacingOccurrences(of: #","timeline":[]"#, with: ""),
        minimal.replacingOccurrences(of: #""history":[]"#, with: #""history":[{"applied":true}]"#),
        minimal.replacingOccurrences(of: #""timeline":[]"#, with: #""timeline":[1]"#),
        minimal.replacingOccurrences(of: #""conflict":false"#, with: #""conflict":"no""#),
        String(minimal.dropLast()),
        "",
    ])
    func brokenRecordsFailAsInJSONDecoder(_ json: String) {
        #expect(throws: (any Error).self) { try decoder.decode(MessageRecord.self, from: Data(json.utf8)) }
        #expect(throws: (any Error).self) { try JSONCoding.decodeRecord(json, decoder: decoder) }
    }
}

import Foundation
import Testing
@testable import TidingsSinks
import TidingsCore

/// The sinks' documents are written by hand (``TidingsCore/JSONWritable``); they must be
/// the very bytes `JSONEncoder` writes with Tidings' conventions.
@Suite("Sink documents: the same bytes as JSONEncoder")
struct SinkDocumentTests {
    static let changes = [ChangeFixtures.everyField] + ChangeFixtures.batch(0..<6)

    func expectSameBytes(_ value: some JSONWritable) throws {
        let expected = String(decoding: try JSONCoding.makeEncoder().encode(value), as: UTF8.self)
        #expect(JSONCoding.encodedText(value) == expected)
    }

    @Test func logLinesAreWrittenAsJSONEncoderWritesThem() throws {
        for change in Self.changes { try expectSameBytes(LogSinkLine(change)) }
    }

    @Test func cloudEventsAreWrittenAsJSONEncoderWritesThem() throws {
        for change in Self.changes { try expectSameBytes(CloudEventEnvelope(change: change, source: "https://tidings.example/")) }
    }

    @Test func jsonLinesPutOneDocumentOnEachLine() throws {
        let text = String(decoding: JSONLines.encode(Self.changes), as: UTF8.self)
        #expect(text == Self.changes.map { JSONCoding.encodedText($0) + "\n" }.joined())
    }
}

extension SinkDocumentTests {
    @Test func aLogLineWritesEveryProperty() throws {
        let line = LogSinkLine(ChangeFixtures.everyField)
        let object = try JSONSerialization.jsonObject(with: Data(JSONCoding.encoded(line))) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == Set(Mirror(reflecting: line).children.compactMap(\.label)))
    }
}

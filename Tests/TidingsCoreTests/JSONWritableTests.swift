import Foundation
import Testing
@testable import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// The hand-written JSON of records and changes must be the very bytes `JSONEncoder`
/// writes with Tidings' conventions: stored documents, the API and the sinks depend on it.
@Suite("JSONWritable: the same bytes as JSONEncoder")
struct JSONWritableTests {
    /// Strings that need escaping, or that a careless writer would escape.
    static let awkwardTexts: [String] = [
        "", "plain", "quote \" inside", #"back\slash"#, "slash / and https://example.com/a?b=c",
        "line\nbreak\r\n", "tab\there", "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}", "é, 中文, 😀, \u{2028}\u{2029}",
        "emoji 👩‍👩‍👧 family", "<script>&amp;</script>",
    ]

    /// A deterministic corpus of records built by the state machine from callbacks that
    /// carry awkward texts, random times (years 1970–2100) and every optional field.
    static func corpus(count: Int, seed: UInt64) throws -> (records: [MessageRecord], changes: [StatusChange]) {
        var random = SplitMix64(seed: seed)
        let statuses = ["accepted", "queued", "sending", "sent", "delivered", "undelivered", "failed", "read", "carrier_magic"]
        var records: [MessageRecord] = []
        var changes: [StatusChange] = []
        for number in 0..<count {
            var record: MessageRecord?
            for _ in 0...random.next(6) {
                let text = awkwardTexts[random.next(awkwardTexts.count)]
                let callback = try CallbackFixtures.callback(
                    sid: CallbackFixtures.sid(number),
                    status: statuses[random.next(statuses.count)],
                    errorCode: random.next(3) == 0 ? [30003, 30008, 63016, -1][random.next(4)] : nil,
                    rawDlrDoneDate: random.next(2) == 0 ? "2611231904" : nil,
                    to: random.next(4) == 0 ? text : CallbackFixtures.to,
                    extra: [.init(name: text, value: awkwardTexts[random.next(awkwardTexts.count)])],
                    idempotencyToken: random.next(2) == 0 ? "token-\(random.next(1000))" : nil)
                let milliseconds = Double(random.next(4_102_444_800_000))
                let outcome = StatusMachine.outcome(
                    of: callback, receivedAt: Date(timeIntervalSince1970: milliseconds / 1000), stored: record)
                record = outcome.record
                if var change = outcome.change {
                    if random.next(2) == 0 { change.seq = Int64(random.next(1_000_000)) }
                    changes.append(change)
                }
            }
            guard var record else { continue }
            if random.next(2) == 0 { record.channelStatusMessage = awkwardTexts[random.next(awkwardTexts.count)] }
            if random.next(3) == 0 { record.stale = true }
            records.append(record)
        }
        return (records, changes)
    }

    func expectSameBytes(_ value: some JSONWritable) throws {
        let expected = String(decoding: try JSONCoding.makeEncoder().encode(value), as: UTF8.self)
        #expect(JSONCoding.encodedText(value) == expected)
    }

    @Test func recordsAndChangesAreWrittenAsJSONEncoderWritesThem() throws {
        let (records, changes) = try Self.corpus(count: 300, seed: 7)
        #expect(records.count == 300)
        #expect(changes.count > 300)
        #expect(records.contains { $0.carrierDoneAt != nil } && records.contains { $0.errorMessage != nil })
        for record in records { try expectSameBytes(record) }
        for change in changes { try expectSameBytes(change) }
        try expectSameBytes(records)
    }

    @Test func whatIsWrittenDecodesBackToTheSameValue() throws {
        let (records, changes) = try Self.corpus(count: 100, seed: 11)
        let decoder = JSONCoding.makeDecoder()
        for record in records {
            #expect(try decoder.decode(MessageRecord.self, from: Data(JSONCoding.encoded(record))) == record)
        }
        for change in changes {
            #expect(try decoder.decode(StatusChange.self, from: Data(JSONCoding.encoded(change))) == change)
        }
    }

    @Test func everyControlCharacterIsEscapedAsJSONEncoderDoes() throws {
        let text = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init(_:))))
        var writer = JSONWriter()
        writer.string(text)
        let expected = try JSONCoding.makeEncoder().encode([text])
        #expect(Array("[".utf8) + writer.bytes + Array("]".utf8) == Array(expected))
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 30003, Int64.max])
    func integersAreWrittenInDecimal(_ value: Int64) throws {
        var writer = JSONWriter()
        writer.integer(value)
        #expect(writer.bytes == Array(try JSONEncoder().encode(value)))
    }

    @Test(arguments: [0.0, 2.0, -3.5, 0.25, 1e-05, 123456.789, 1e21])
    func numbersAreWrittenAsJSONEncoderWritesThem(_ value: Double) throws {
        var writer = JSONWriter()
        writer.number(value)
        #expect(writer.bytes == Array(try JSONEncoder().encode(value)))
    }
}

/// Stored changes are read back by a narrow hand-written reader first; whatever it reads
/// must be what `JSONDecoder` reads, and whatever it does not read goes to `JSONDecoder`.
@Suite("JSONCoding.decodeChange: the same changes as JSONDecoder")
struct CompactChangeReadingTests {
    let decoder = JSONCoding.makeDecoder()

    @Test func everyWrittenChangeReadsBackWithoutJSONDecoder() throws {
        let (_, changes) = try JSONWritableTests.corpus(count: 300, seed: 5)
        for change in changes {
            var json = JSONCoding.encodedText(change)
            #expect(json.withUTF8(StatusChange.init(compactJSON:)) == change)
        }
    }

    /// Found by the fuzzer: `Int64.min` fell through to `JSONDecoder` (its magnitude
    /// overflowed while it was read).
    @Test(arguments: [Int64.min, Int64.min + 1, -1, Int64.max])
    func extremeIntegersReadBackWithoutJSONDecoder(_ value: Int64) throws {
        let change = StatusChange(
            id: "SM1-0", seq: value, receivedAt: CallbackFixtures.time(0), source: .callback, sid: "SM1", status: .sent,
            previousStatus: nil, reportedStatus: .sent, errorCode: Int(value), errorMessage: nil,
            channel: .sms, to: nil, applied: true, conflict: false)
        var json = JSONCoding.encodedText(change)
        #expect(json.withUTF8(StatusChange.init(compactJSON:)) == change)
    }

    @Test(arguments: [
        // Whitespace, an unknown key, a fraction, escapes the writer never writes, null.
        #"{ "applied": true, "channel": "sms", "conflict": false, "id": "SM1-0", "receivedAt": "2026-11-23T19:04:07.123Z", "reportedStatus": "sent", "sid": "SM1", "stale": false, "status": "sent" }"#,
        #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-0","newField":[1,{"a":null}],"receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":true,"channel":"sms","conflict":false,"errorCode":30003.0,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","sid":"SM1","stale":false,"status":"sent","to":"\u00e9\/\ud83d\ude00"}"#,
        #"{"applied":true,"channel":"sms","conflict":false,"errorCode":null,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07+02:00","reportedStatus":"sent","seq":7,"sid":"SM1","stale":false,"status":"sent"}"#,
    ])
    func otherJSONReadsAsJSONDecoderReadsIt(_ json: String) throws {
        let expected = try decoder.decode(StatusChange.self, from: Data(json.utf8))
        #expect(try JSONCoding.decodeChange(json, decoder: decoder) == expected)
    }

    @Test(arguments: [
        // Leading zeros, which JSON forbids (found by an hour of FuzzStoredChange).
        #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","seq":-0000,"sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","seq":007,"sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":"yes","channel":"sms","conflict":false,"id":"SM1-0","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","sid":"SM1","stale":false,"status":"sent"}"#,
        #"{"applied":true,"channel":"sms""#,
        "",
    ])
    func brokenChangesFailAsInJSONDecoder(_ json: String) {
        #expect(throws: (any Error).self) { try decoder.decode(StatusChange.self, from: Data(json.utf8)) }
        #expect(throws: (any Error).self) { try JSONCoding.decodeChange(json, decoder: decoder) }
    }
}

/// A property added to a stored type must be written too: with every optional filled in,
/// the keys written are exactly the type's stored properties.
@Suite("JSONWritable: every stored property is written")
struct JSONWritableCompletenessTests {
    func writtenKeys(_ value: some JSONWritable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(JSONCoding.encoded(value))) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    func storedProperties(_ value: Any) -> Set<String> {
        Set(Mirror(reflecting: value).children.compactMap(\.label))
    }

    static let history = HistoryEntry(
        source: .eventStream, status: .undelivered, errorCode: 30003, receivedAt: CallbackFixtures.time(2),
        eventAt: CallbackFixtures.time(1), applied: true, dedupeKey: "EZ1",
        params: FormBody([.init(name: "data.messageStatus", value: "UNDELIVERED")]))
    static let timeline = TimelineEntry(status: .undelivered, at: CallbackFixtures.time(2))
    static let conversation = ConversationLink(
        messageSid: "IM1", conversationSid: "CH1", chatServiceSid: "IS1", participantSid: "MB1", deliveryReceiptSid: "DY1")

    @Test func aRecordWithEveryFieldWritesEveryProperty() throws {
        var record = MessageRecord(sid: CallbackFixtures.sid(1), channel: .sms, status: .undelivered, firstSeenAt: CallbackFixtures.time(0))
        record.accountSid = CallbackFixtures.accountSid
        record.messagingServiceSid = CallbackFixtures.messagingServiceSid
        record.from = CallbackFixtures.from
        record.to = CallbackFixtures.to
        record.errorCode = 30003
        record.errorMessage = "Unreachable destination handset"
        record.channelStatusMessage = "absent subscriber"
        record.rawDlrDoneDate = "2611231904"
        record.carrierDoneAt = CallbackFixtures.time(1)
        record.conversation = Self.conversation
        record.timeline = [Self.timeline]
        record.history = [Self.history]
        #expect(try writtenKeys(record) == storedProperties(record))
        #expect(try writtenKeys(Self.history) == storedProperties(Self.history))
        #expect(try writtenKeys(Self.timeline) == storedProperties(Self.timeline))
        #expect(try writtenKeys(Self.conversation) == storedProperties(Self.conversation))
    }

    @Test func aChangeWithEveryFieldWritesEveryProperty() throws {
        let change = StatusChange(
            id: "SM1-1", seq: 7, receivedAt: CallbackFixtures.time(3), source: .api, sid: "SM1", status: .undelivered,
            previousStatus: .sent, reportedStatus: .undelivered, errorCode: 30003, errorMessage: "Unreachable",
            channel: .sms, to: CallbackFixtures.to, applied: true, conflict: false)
        #expect(try writtenKeys(change) == storedProperties(change))
    }
}

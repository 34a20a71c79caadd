import Foundation
import FuzzSupport
import TidingsCore
import TwilioWebhooks

/// The readers of stored documents: `JSONCoding.decodeChange(_:decoder:)` and
/// `JSONCoding.decodeRecord(_:decoder:)`, whose fast paths (the compact readers,
/// `JSONScanner`, `StatusChange(compactJSON:)` and `MessageRecord(compactJSON:)`) read what
/// `JSONWritable` writes and hand anything else to `JSONDecoder`.
///
/// Each input is used twice:
/// 1. As a stored document. When the fast path accepts it (seen through a decoder that
///    refuses everything), `JSONDecoder` must read the same change from it; and whatever
///    change either reads must write back (`JSONCoding.encoded`) to bytes that both read
///    back equal, and that are the bytes `JSONCoding.makeEncoder()` writes.
/// 2. As the recipe of a change, a message record and a timestamp built field by field from
///    the bytes: each written with `JSONWritable` reads back equal, through the fast path
///    (changes) and through `JSONDecoder`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStoredChange(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    let fast = try? JSONCoding.decodeChange(text, decoder: RefusingDecoder())
    let full = try? decoder.decode(StatusChange.self, from: Data(text.utf8))
    if let fast, !hasKnownLeniency(bytes) {
        require(full == fast, "the compact reader read \(fast), JSONDecoder \(String(describing: full))")
    }
    if let change = fast ?? full {
        checkRoundTrip(change)
    }
    let fastRecord = try? JSONCoding.decodeRecord(text, decoder: RefusingDecoder())
    if let fastRecord, !hasKnownLeniency(bytes) {
        let fullRecord = try? decoder.decode(MessageRecord.self, from: Data(text.utf8))
        require(fullRecord == fastRecord, "the compact reader read \(fastRecord), JSONDecoder \(String(describing: fullRecord))")
        checkRoundTrip(fastRecord)
    }

    var source = ByteSource(bytes)
    checkRoundTrip(makeChange(&source))
    checkRoundTrip(makeRecord(&source))
    // RFC 3339 times: what parses formats back to a text that parses to the same instant.
    if let date = JSONCoding.parseTimestamp(text) {
        let formatted = JSONCoding.formatTimestamp(date)
        require(JSONCoding.parseTimestamp(formatted) == date, "\(text.debugDescription) → \(date) → \(formatted) does not read back")
    }
    return 0
}

@_cdecl("FuzzStoredChange_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    if let folder = ProcessInfo.processInfo.environment["TIDINGS_FUZZ_WRITE_SEEDS"] {
        return writeSeeds(to: folder)
    }
    return runFuzzer(argc: argc, argv: argv, fuzzStoredChange)
}

let decoder = JSONCoding.makeDecoder()
let encoder = JSONCoding.makeEncoder()

/// A decoder that reads nothing: through it, `decodeChange` returns only what its compact
/// fast path read.
final class RefusingDecoder: JSONDecoder, @unchecked Sendable {
    struct Refused: Error {}
    override func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        throw Refused()
    }
}

func checkRoundTrip(_ change: StatusChange) {
    let written = JSONCoding.encoded(change)
    let writtenText = String(decoding: written, as: UTF8.self)
    require((try? encoder.encode(change)).map(Array.init) == written, "JSONWriter and JSONEncoder differ: \(writtenText)")
    let fast = try? JSONCoding.decodeChange(writtenText, decoder: RefusingDecoder())
    require(fast == change, "the compact reader does not read back \(writtenText): \(String(describing: fast))")
    let full = try? decoder.decode(StatusChange.self, from: Data(written))
    require(full == change, "JSONDecoder does not read back \(writtenText)")
}

func checkRoundTrip(_ record: MessageRecord) {
    let written = JSONCoding.encoded(record)
    require((try? encoder.encode(record)).map(Array.init) == written,
            "JSONWriter and JSONEncoder differ: \(String(decoding: written, as: UTF8.self))")
    let read = try? decoder.decode(MessageRecord.self, from: Data(written))
    require(read == record, "a record does not read back: \(String(decoding: written, as: UTF8.self))")
    let fast = try? JSONCoding.decodeRecord(String(decoding: written, as: UTF8.self), decoder: RefusingDecoder())
    require(fast == record, "the compact reader does not read back \(String(decoding: written, as: UTF8.self))")
}

/// A status, documented or not.
func makeStatus(_ source: inout ByteSource) -> MessageStatus {
    let choice = Int(source.byte())
    return choice < MessageStatus.documented.count * 8
        ? MessageStatus.documented[choice % MessageStatus.documented.count]
        : MessageStatus(wireValue: source.string())
}

/// A time of the years Tidings meets (1970–2100), to the millisecond, as stored times are.
func makeDate(_ source: inout ByteSource) -> Date {
    let milliseconds = Int64(source.integer(bytes: 6) % 4_102_444_800_000)
    return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
}

/// One of the report sources, or none (a stale change has none).
func makeSource(_ source: inout ByteSource) -> ReportSource? {
    let index = Int(source.byte()) % (ReportSource.allCases.count + 1)
    return index < ReportSource.allCases.count ? ReportSource.allCases[index] : nil
}

func makeChange(_ source: inout ByteSource) -> StatusChange {
    let flags = source.byte()
    return StatusChange(
        id: source.string(), seq: flags & 1 != 0 ? Int64(bitPattern: source.integer(bytes: 8)) : nil,
        receivedAt: makeDate(&source), source: makeSource(&source), sid: source.string(), status: makeStatus(&source),
        previousStatus: flags & 2 != 0 ? makeStatus(&source) : nil, reportedStatus: makeStatus(&source),
        errorCode: flags & 4 != 0 ? Int(Int64(bitPattern: source.integer(bytes: 8))) : nil,
        errorMessage: source.optionalString(), channel: Channel(name: source.string()), to: source.optionalString(),
        applied: flags & 8 != 0, conflict: flags & 16 != 0, stale: flags & 32 != 0)
}

func makeRecord(_ source: inout ByteSource) -> MessageRecord {
    var record = MessageRecord(
        sid: source.string(), channel: Channel(name: source.string()), status: makeStatus(&source),
        firstSeenAt: makeDate(&source))
    record.accountSid = source.optionalString()
    record.to = source.optionalString()
    record.errorCode = source.bool() ? Int(Int32(truncatingIfNeeded: source.integer(bytes: 4))) : nil
    record.rawDlrDoneDate = source.optionalString()
    record.carrierDoneAt = source.bool() ? makeDate(&source) : nil
    record.conflict = source.bool()
    record.timeline = [TimelineEntry(status: makeStatus(&source), at: makeDate(&source))]
    var entry = HistoryEntry(
        source: makeSource(&source) ?? .callback, status: makeStatus(&source), errorCode: nil,
        receivedAt: makeDate(&source), eventAt: source.bool() ? makeDate(&source) : nil, applied: source.bool(),
        dedupeKey: source.optionalString(),
        params: FormBody([.init(name: source.string(), value: source.string()), .init(name: source.string(), value: "")]))
    entry.duplicates = Int(source.byte())
    record.history = [entry]
    record.updatedAt = makeDate(&source)
    return record
}

/// Writes stored documents of a realistic message life with the project's own writer
/// (`JSONCoding.encoded`), one per file: the seeds of this harness's corpus.
func writeSeeds(to folder: String) -> Int32 {
    let sid = "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    let start = Date(timeIntervalSince1970: 1_795_000_000.123)
    let params = FormBody([
        .init(name: "MessageSid", value: sid), .init(name: "MessageStatus", value: "undelivered"),
        .init(name: "To", value: "+15558675310"), .init(name: "ErrorCode", value: "30003"),
        .init(name: "Body", value: "caf\u{E9} \"quoted\" \\ \n\u{1}"),
    ])
    let changes = [
        StatusChange(id: sid + "-1", seq: 1, receivedAt: start, source: .callback, sid: sid, status: .sent, previousStatus: nil,
                     reportedStatus: .sent, errorCode: nil, errorMessage: nil, channel: .sms, to: "+15558675310",
                     applied: true, conflict: false),
        StatusChange(id: sid + "-2", seq: 2, receivedAt: start.addingTimeInterval(4.5), source: .callback, sid: sid, status: .undelivered,
                     previousStatus: .sent, reportedStatus: .undelivered, errorCode: 30003,
                     errorMessage: "Unreachable destination handset", channel: .whatsapp, to: "whatsapp:+15558675310",
                     applied: true, conflict: false),
        StatusChange(id: sid + "-3", seq: -9_223_372_036_854_775_807, receivedAt: start.addingTimeInterval(60), source: nil,
                     sid: sid, status: .unknown("Weird \"status\""), previousStatus: .undelivered, reportedStatus: .delivered,
                     errorCode: -1, errorMessage: "\u{1F600}/\\", channel: .other("carrier pigeon"), to: nil,
                     applied: false, conflict: true, stale: true),
    ]
    var record = MessageRecord(sid: sid, channel: .sms, status: .undelivered, firstSeenAt: start)
    record.errorCode = 30003
    record.rawDlrDoneDate = "2611231904"
    record.carrierDoneAt = start
    record.timeline = [TimelineEntry(status: .sent, at: start)]
    record.history = [HistoryEntry(source: .callback, status: .undelivered, errorCode: 30003, receivedAt: start,
                                   eventAt: nil, applied: true, dedupeKey: "token", params: params)]
    var documents = changes.map { JSONCoding.encoded($0) } + [JSONCoding.encoded(record)]
    documents.append(Array(#"{ "applied": true, "channel": "sms", "conflict": false, "id": "x", "receivedAt": "2026-11-23T19:04:07Z", "reportedStatus": "sent", "sid": "SM1", "stale": false, "status": "sent" }"#.utf8))
    for (index, document) in documents.enumerated() {
        let path = folder + "/seed-document-\(index)"
        guard FileManager.default.createFile(atPath: path, contents: Data(document)) else {
            print("cannot write \(path)")
            return 1
        }
    }
    print("wrote \(documents.count) documents to \(folder)")
    return 0
}

/// Known leniencies (fuzz/corpus/FuzzStoredChange/known-leniency-*): the compact reader
/// accepts documents that are not JSON, or that JSONDecoder reads otherwise, so the two
/// readers disagree on them:
/// - raw control characters (bytes below 0x20) inside strings, which JSON forbids;
/// - a key given twice, where the compact reader keeps the last value and JSONDecoder
///   does not (it fails when the first is not a valid value).
/// JSONWriter escapes control characters and writes each key once, so no stored document
/// has either; the differential check skips such inputs unless `TIDINGS_FUZZ_KNOWN_BUGS=1`.
func hasKnownLeniency(_ bytes: [UInt8]) -> Bool {
    guard ProcessInfo.processInfo.environment["TIDINGS_FUZZ_KNOWN_BUGS"] != "1" else { return false }
    if bytes.contains(where: { $0 < 0x20 }) { return true }
    let text = String(decoding: bytes, as: UTF8.self)
    return (changeKeys + recordKeys).contains { key in text.components(separatedBy: "\"\(key)\":").count > 2 }
}

/// The keys of a record and of its timeline and history entries, beside ``changeKeys``.
let recordKeys = [
    "accountSid", "carrierDoneAt", "channelStatusMessage", "firstSeenAt", "from", "history", "messagingServiceSid",
    "rawDlrDoneDate", "timeline", "updatedAt", "at", "duplicates", "idempotencyToken", "params", "name", "value",
]

let changeKeys = [
    "applied", "channel", "conflict", "errorCode", "errorMessage", "id", "previousStatus", "receivedAt",
    "reportedStatus", "seq", "sid", "stale", "status", "to",
]

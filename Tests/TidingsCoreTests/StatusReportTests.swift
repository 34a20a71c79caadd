import Foundation
import Testing
@testable import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// Reports from every source go through one machine: what each adds, what makes a repeat,
/// and how records written before sources were kept read back.
@Suite("StatusReport: every source through one machine")
struct StatusReportTests {
    let sid = CallbackFixtures.sid(1)
    let start = CallbackFixtures.time(0)

    /// A report from `source` that is not a callback, with the fields an adapter would keep.
    func report(
        _ source: ReportSource, _ status: MessageStatus, key: String?, eventAt: Date? = nil, errorCode: Int? = nil
    ) -> StatusReport {
        StatusReport(
            source: source, messageSid: sid, status: status, errorCode: errorCode, eventAt: eventAt, dedupeKey: key,
            channel: .sms, fields: FormBody([.init(name: "status", value: status.wireValue)]))
    }

    @Test func theSameNewsFromThreeSourcesIsKeptThreeTimesWithItsSource() throws {
        var machine = StatusMachine(record: nil)
        let callback = StatusReport(try CallbackFixtures.callback(sid: sid, status: "delivered"))
        let transitions = [
            machine.receive(callback, at: start),
            machine.receive(report(.eventStream, .delivered, key: "EZ1"), at: start.addingTimeInterval(1)),
            machine.receive(report(.api, .delivered, key: "delivered@1"), at: start.addingTimeInterval(2)),
        ]
        let record = try #require(machine.record)
        #expect(record.history.map(\.source) == [.callback, .eventStream, .api])
        #expect(record.history.map(\.applied) == [true, false, false])
        #expect(record.status == .delivered && !record.conflict)
        let sources = transitions.map { transition -> ReportSource? in
            guard case .recorded(let change) = transition else { return nil }
            return change.source
        }
        #expect(sources == [.callback, .eventStream, .api])
    }

    @Test func aReportWithTheSameKeyFromTheSameSourceIsARepeat() throws {
        var machine = StatusMachine(record: nil)
        _ = machine.receive(report(.eventStream, .sent, key: "EZ1"), at: start)
        #expect(machine.receive(report(.eventStream, .sent, key: "EZ1"), at: start.addingTimeInterval(1)) == .duplicate)
        // Another source's key of the same value is not the same report.
        #expect(machine.receive(report(.conversations, .sent, key: "EZ1"), at: start.addingTimeInterval(2)) != .duplicate)
        // Without a field rule, only the key makes a repeat: a second event of the same status is news.
        #expect(machine.receive(report(.eventStream, .sent, key: "EZ2"), at: start.addingTimeInterval(3)) != .duplicate)
        let record = try #require(machine.record)
        #expect(record.history.map(\.duplicates) == [1, 0, 0])
        #expect(record.history.map(\.dedupeKey) == ["EZ1", "EZ1", "EZ2"])
    }

    @Test func anEventTimeGoesIntoTheTimelineAndAnEarlierOneHeardLaterReplacesIt() throws {
        var machine = StatusMachine(record: nil)
        _ = machine.receive(StatusReport(try CallbackFixtures.callback(sid: sid, status: "sent")), at: start)
        _ = machine.receive(
            report(.eventStream, .delivered, key: "EZ1", eventAt: start.addingTimeInterval(4)), at: start.addingTimeInterval(9))
        var record = try #require(machine.record)
        #expect(record.timeline == [
            TimelineEntry(status: .sent, at: start), TimelineEntry(status: .delivered, at: start.addingTimeInterval(4)),
        ])
        #expect(record.history.last?.eventAt == start.addingTimeInterval(4))
        // The API's answer, heard later, knew the message was sent a second before the callback came.
        _ = machine.receive(
            report(.api, .sent, key: "sent@1", eventAt: start.addingTimeInterval(-1)), at: start.addingTimeInterval(20))
        _ = machine.receive(
            report(.api, .delivered, key: "delivered@9", eventAt: start.addingTimeInterval(7)), at: start.addingTimeInterval(21))
        record = try #require(machine.record)
        #expect(record.timeline == [
            TimelineEntry(status: .sent, at: start.addingTimeInterval(-1)),
            TimelineEntry(status: .delivered, at: start.addingTimeInterval(4)),
        ])
    }

    @Test func aRecordOfEverySourceReadsBackWithoutJSONDecoder() throws {
        var machine = StatusMachine(record: nil)
        _ = machine.receive(StatusReport(try CallbackFixtures.callback(sid: sid, status: "sent", idempotencyToken: "t1")), at: start)
        for (index, source) in ReportSource.allCases.dropFirst().enumerated() {
            _ = machine.receive(
                report(source, .delivered, key: "\(source)-1", eventAt: start.addingTimeInterval(Double(index)), errorCode: 0),
                at: start.addingTimeInterval(Double(index + 1)))
        }
        let link = ConversationLink(
            messageSid: "IM1", conversationSid: "CH1", chatServiceSid: nil, participantSid: "MB1", deliveryReceiptSid: "DY1")
        _ = machine.receive(
            StatusReport(
                source: .conversations, messageSid: sid, status: .read, errorCode: nil, dedupeKey: "DY1/read",
                channel: .sms, conversation: link, fields: FormBody([])),
            at: start.addingTimeInterval(9))
        let record = try #require(machine.record)
        #expect(record.conversation == link)
        var json = JSONCoding.encodedText(record)
        #expect(json.withUTF8(MessageRecord.init(compactJSON:)) == record)
        #expect(try JSONCoding.makeDecoder().decode(MessageRecord.self, from: Data(json.utf8)) == record)
        #expect(json.contains(#""source":"event-stream""#) && json.contains(#""dedupeKey":"t1""#))
    }

    /// A history entry as Tidings wrote it before sources were kept: no `source`, the token
    /// under `idempotencyToken`.
    static let entryOfBefore =
        #"{"applied":true,"duplicates":0,"idempotencyToken":"token-1","params":[{"name":"MessageStatus","value":"sent"}],"receivedAt":"2026-11-23T19:04:07.123Z","status":"sent"}"#

    @Test func aRecordWrittenBeforeSourcesReadsAsCallbacksWithTheirTokens() throws {
        let json = #"{"channel":"sms","conflict":false,"firstSeenAt":"2026-11-23T19:04:07.123Z","history":["#
            + Self.entryOfBefore
            + #"],"sid":"SM1","stale":false,"status":"sent","timeline":[],"updatedAt":"2026-11-23T19:04:07.123Z"}"#
        var compact = json
        let read = compact.withUTF8(MessageRecord.init(compactJSON:))
        let fast = try #require(read)
        let decoded = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: Data(json.utf8))
        #expect(fast == decoded)
        #expect(fast.history.map(\.source) == [.callback])
        #expect(fast.history.map(\.dedupeKey) == ["token-1"])
        // The token still makes a repeat of a callback carrying it.
        var machine = StatusMachine(record: fast)
        let repeated = try CallbackFixtures.callback(sid: "SM1", status: "delivered", idempotencyToken: "token-1")
        #expect(machine.receive(StatusReport(repeated), at: Date()) == .duplicate)
    }

    @Test func aChangeWrittenBeforeSourcesReadsWithNone() throws {
        let json = #"{"applied":true,"channel":"sms","conflict":false,"id":"SM1-1","receivedAt":"2026-11-23T19:04:07.123Z","reportedStatus":"sent","seq":3,"sid":"SM1","stale":false,"status":"sent"}"#
        let change = try JSONCoding.decodeChange(json, decoder: JSONCoding.makeDecoder())
        #expect(change.source == nil)
        #expect(change.seq == 3)
    }

    @Test func theAPIsAnswerIsAReportKeyedByItsStatusAndTime() throws {
        let resource = try MessageResource(
            json: Array(#"{"sid":"SM1","status":"delivered","date_updated":"Thu, 24 Aug 2023 05:01:48 +0000","to":"whatsapp:+1555"}"#.utf8))
        let report = StatusReport(resource)
        #expect(report.source == .api && report.status == .delivered && report.channel == .whatsapp)
        #expect(report.eventAt == Date(timeIntervalSince1970: 1_692_853_308))
        #expect(report.dedupeKey == "delivered@1692853308")
        // Asked again while nothing moved: a repeat, not news.
        var machine = StatusMachine(record: nil)
        _ = machine.receive(report, at: start)
        #expect(machine.receive(StatusReport(resource), at: start.addingTimeInterval(600)) == .duplicate)
        // Not known to Twilio: kept in the history, the status unmoved.
        guard case .recorded(let change) = machine.receive(StatusReport.notFound(sid: "SM1", channel: .sms), at: start) else {
            Issue.record("a 404 is news")
            return
        }
        #expect(!change.applied && machine.record?.status == .delivered)
        #expect(machine.record?.history.last?.status == StatusReport.notFoundStatus)
    }

    @Test func aCallbacksReportCarriesWhatTheCallbackSaid() throws {
        let callback = try CallbackFixtures.callback(
            sid: sid, status: "delivered", errorCode: 30003, eventType: "READ", idempotencyToken: "tok")
        let report = StatusReport(callback)
        #expect(report.source == .callback)
        #expect(report.status == .read && report.reportedStatus == .delivered)
        #expect(report.errorCode == 30003 && report.dedupeKey == "tok" && report.eventAt == nil)
        #expect(report.fields == callback.parameters && report.channel == callback.channel)
    }
}

import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// `tidings status SID` against a real `tidings serve`.
@Suite("tidings status")
struct CLIStatusTests {
    @Test func aConversationsMessageShowsEachParticipantsDelivery() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let message = "IM" + String(repeating: "a", count: 32)
        for (index, status) in ["read", "undelivered"].enumerated() {
            var parameters: [FormBody.Parameter] = [
                .init(name: "EventType", value: "onDeliveryUpdated"),
                .init(name: "DeliveryReceiptSid", value: "DY\(index)"), .init(name: "MessageSid", value: message),
                .init(name: "ConversationSid", value: "CH1"), .init(name: "ParticipantSid", value: "MB\(index)"),
                .init(name: "ChannelMessageSid", value: CallbackFixtures.sid(0xd0 + index)),
                .init(name: "Status", value: status), .init(name: "DateUpdated", value: "2026-11-23T19:04:0\(index).000Z"),
            ]
            if status == "undelivered" { parameters.append(.init(name: "ErrorCode", value: "30003")) }
            #expect(try await served.callbacks.post(FormBody(parameters), to: "/twilio/conversations") == 204)
        }
        let result = try await served.run(["status", message])
        #expect(result.exitStatus == 0)
        let lines = result.lines
        #expect(lines.first == "\(message)  Conversations message, 2 receipt(s)")
        #expect(lines.contains("  conversation  CH1"))
        #expect(lines.contains("  delivery      sent all · delivered some · read some · undelivered some · failed none"))
        let rows = lines.filter { $0.hasPrefix("  MB") }.map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        #expect(rows == ["MB0 \(CallbackFixtures.sid(0xd0)) read", "MB1 \(CallbackFixtures.sid(0xd1)) undelivered"])
        #expect(lines.contains { $0.contains("30003 Unreachable destination handset") })

        let unknown = try await served.run(["status", "IM" + String(repeating: "f", count: 32)])
        #expect(unknown.exitStatus != 0)
        #expect(unknown.standardError.contains("no delivery receipt"))
    }

    @Test func theReportTellsTheMessagesLifeErrorAndHistory() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let sid = CallbackFixtures.sid(0xc11)
        try await served.post(sid, "queued")
        try await served.post(sid, "sent")
        try await served.post(sid, "undelivered", errorCode: 30003, rawDlrDoneDate: "2611231904")
        try await served.post(sid, "undelivered", errorCode: 30003, rawDlrDoneDate: "2611231904")  // a retry

        let result = try await served.run(["status", sid])
        #expect(result.exitStatus == 0)
        #expect(result.standardError.isEmpty)
        #expect(!result.standardOutput.contains("\u{1B}"), "no colours when standard output is not a terminal")
        let lines = result.lines
        #expect(lines.first == "\(sid)  undelivered")
        #expect(lines.contains("  error       30003 Unreachable destination handset"))
        #expect(lines.contains("              sending again later may help"))
        #expect(lines.contains("              https://www.twilio.com/docs/api/errors/30003"))
        #expect(lines.contains("  channel     sms"))
        #expect(lines.contains("  to          \(CallbackFixtures.to)"))
        #expect(lines.contains("  from        \(CallbackFixtures.from)"))
        #expect(lines.contains("  carrier     done at 2026-11-23 19:04:00.000Z (RawDlrDoneDate 2611231904)"))
        let timeline = try #require(lines.first { $0.hasPrefix("  timeline") })
        #expect(timeline.wholeMatch(of: #/  timeline    queued → sent \+[0-9.]+s → undelivered \+[0-9.]+s/#) != nil)
        #expect(!lines.contains { $0.hasPrefix("  conflict") || $0.hasPrefix("  stale") })

        let history = try #require(lines.firstIndex(of: "  history"))
        #expect(lines[history + 1] == "  RECEIVED (UTC)            SOURCE    STATUS       APPLIED  DUPLICATES  ERROR")
        let rows = lines[(history + 2)...].map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).joined(separator: " ") }
        #expect(rows == ["callback queued yes 0", "callback sent yes 0", "callback undelivered yes 1 30003"])
    }

    @Test func aConflictIsFlagged() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let sid = CallbackFixtures.sid(0xc12)
        try await served.post(sid, "delivered")
        try await served.post(sid, "undelivered", errorCode: 30005)

        let lines = try await served.run(["status", sid]).lines
        #expect(lines.first == "\(sid)  delivered")
        #expect(lines.contains("  conflict    callbacks disagree about this message's fate; see the history"))
        #expect(!lines.contains { $0.hasPrefix("  error") }, "the error belongs to the callback that was not applied")
        #expect(lines.contains { $0.contains("undelivered  no") && $0.hasSuffix("30005") })
    }

    @Test func jsonIsTheRecordAsTheAPIAnswersIt() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let sid = CallbackFixtures.sid(0xc13)
        try await served.post(sid, "sent")
        try await served.post(sid, "delivered")

        let result = try await served.run(["status", sid, "--json"])
        #expect(result.exitStatus == 0)
        #expect(result.lines.count == 1)
        let record = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: Data(result.standardOutput.utf8))
        #expect(record.sid == sid)
        #expect(record.status == .delivered)
        #expect(record.history.map(\.status) == [.sent, .delivered])
    }

    @Test func anUnknownSIDIsOneLineOnStandardErrorAndAFailure() async throws {
        let served = try await ServedTidings()
        defer { served.stop() }
        let sid = CallbackFixtures.sid(0xc14)
        for arguments in [["status", sid], ["status", sid, "--json"]] {
            let result = try await served.run(arguments)
            #expect(result.exitStatus == 1)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.hasPrefix("tidings: no callback for \(sid) has been received"))
            #expect(result.standardError.filter { $0 == "\n" }.count == 1)
        }
    }
}

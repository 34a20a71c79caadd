import Foundation
import Testing
import TidingsCore
import TidingsServer
import TwilioWebhooks

@testable import tidings

/// How the client commands write for people: colours, tables, durations, the lines of
/// `tail`, `status` and `stats` — checked without a server or a terminal.
@Suite("tidings client commands: rendering")
struct CLIRenderingTests {
    private let colored = Terminal(usesColor: true)
    private let plain = Terminal(usesColor: false)

    @Test func coloursOnlyOnATerminalWithoutNO_COLOR() {
        #expect(Terminal.usesColor(isTerminal: true, environment: [:]))
        #expect(Terminal.usesColor(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!Terminal.usesColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!Terminal.usesColor(isTerminal: false, environment: [:]))
    }

    @Test func statusesAreColouredByWhatTheySay() {
        #expect(colored.paint(.delivered) == "\u{1B}[32mdelivered\u{1B}[0m")
        #expect(colored.paint(.read) == "\u{1B}[32mread\u{1B}[0m")
        #expect(colored.paint(.undelivered) == "\u{1B}[31mundelivered\u{1B}[0m")
        #expect(colored.paint(.failed) == "\u{1B}[31mfailed\u{1B}[0m")
        #expect(colored.paint(.sent) == "\u{1B}[33msent\u{1B}[0m")
        #expect(colored.paint(.canceled) == "canceled")
        #expect(plain.paint(.delivered) == "delivered")
    }

    @Test func tablesAlignWhatIsSeenNotTheColourCodes() {
        var table = TextTable([("STATUS", .left), ("MESSAGES", .right)])
        table.append([colored.paint(.undelivered), "12"])
        table.append([colored.paint(.sent), "3"])
        let lines = table.lines(indent: 1, on: colored)
        #expect(lines.map(TextTable.visibleWidth) == [22, 22, 22])
        #expect(lines[0] == "\u{1B}[2m STATUS       MESSAGES\u{1B}[0m")
        #expect(lines[2] == " \u{1B}[33msent\u{1B}[0m                3")
    }

    static let durations: [(seconds: Double, text: String)] = [
        (0, "+0s"), (0.35, "+0.35s"), (1.24, "+1.2s"), (59.97, "+1m00s"), (125, "+2m05s"),
        (3725, "+1h02m"), (86_400 * 2 + 3 * 3600, "+2d03h"), (-3.1, "-3.1s"),
    ]

    @Test(arguments: durations)
    func durationsReadAsPeopleSayThem(seconds: Double, text: String) {
        #expect(DurationFormat.text(seconds, signed: true) == text)
    }

    @Test func aTailLineSaysWhatMovedWhereAndWhy() throws {
        let utc = { var calendar = Calendar(identifier: .gregorian); calendar.timeZone = .gmt; return calendar }()
        func line(_ change: StatusChange) throws -> String {
            TailCommand.line(for: String(decoding: try JSONCoding.makeEncoder().encode(change), as: UTF8.self), on: plain, calendar: utc)
        }
        let at = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 11:06:40 UTC
        let sid = "SM00000000000000000000000000000001"
        let moved = StatusChange(
            id: "\(sid)-2", seq: 2, receivedAt: at, source: .callback, sid: sid, status: .undelivered, previousStatus: .sent,
            reportedStatus: .undelivered, errorCode: 30003, errorMessage: "Unreachable destination handset",
            channel: .sms, to: "+15558675310", applied: true, conflict: false)
        #expect(try line(moved) == "11:06:40 \(sid) sent → undelivered (sms, +15558675310) 30003 Unreachable destination handset")
        let stale = StatusChange(
            id: "\(sid)-stale-1", receivedAt: at, source: nil, sid: sid, status: .sent, previousStatus: .sent, reportedStatus: .sent,
            errorCode: nil, errorMessage: nil, channel: .whatsapp, to: nil, applied: false, conflict: false, stale: true)
        #expect(try line(stale) == "11:06:40 \(sid) sent stale: no callback for longer than --stale-after (whatsapp)")
        #expect(TailCommand.line(for: "not a change", on: plain) == "not a change")
    }

    @Test func aStaleMessageWithAnUnknownErrorCodeIsReportedAsSuch() {
        var record = MessageRecord(sid: "SM00000000000000000000000000000002", channel: .sms, status: .sent, firstSeenAt: Date(timeIntervalSince1970: 0))
        record.stale = true
        record.errorCode = 39999
        record.timeline = [TimelineEntry(status: .sent, at: Date(timeIntervalSince1970: 0))]
        let lines = MessageReport(record: record).lines(on: plain)
        #expect(lines.contains("  error       39999 not a code this version of tidings knows"))
        #expect(lines.contains("              https://www.twilio.com/docs/api/errors/39999"))
        #expect(lines.contains("  stale       in flight with no callback for longer than the server's --stale-after"))
        #expect(lines.contains("  timeline    sent"))
        #expect(lines.contains("  first seen  1970-01-01 00:00:00.000Z"))
    }

    @Test func theStatsContractDecodesAndRendersWithoutSamplesOrTitles() throws {
        let body = """
            {"total":4,"byStatus":{"delivered":3,"failed":1},"byChannel":{"sms":4},
             "errorCodes":[{"code":39999,"count":1,"title":null,"meaning":null,"retryable":null,
                            "docsURL":"https://www.twilio.com/docs/api/errors/39999"}],
             "stale":2,"conflicts":1,"latency":{"sentToDelivered":{"count":3,"p50":1.5,"p90":4,"p99":4,"max":4}}}
            """
        let stats = try JSONCoding.makeDecoder().decode(StatsReport.self, from: Data(body.utf8))
        let command = try StatsCommand.parse(["--since", "1h", "--channel", "sms"])
        let lines = command.lines(stats, on: plain)
        #expect(Array(lines.prefix(3)) == [
            "4 messages (since 1h, channel sms)",
            "2 stale: in flight with no callback for longer than --stale-after",
            "1 with conflicting callbacks",
        ])
        #expect(lines.contains("39999         1  ?            unknown code, see https://www.twilio.com/docs/api/errors/39999"))
        #expect(lines.contains("sent → delivered        3  1.5s  4.0s  4.0s  4.0s"))
        #expect(!lines.contains { $0.hasPrefix("queued → sent") })
    }
}

import Foundation
import Testing
import TidingsCore
import TidingsSinks
import TidingsTestSupport

@Suite("LogSink")
struct LogSinkTests {
    @Test("one line per change, with every field an on-call engineer greps for")
    func lineFields() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let sink = try LogSink.appending(toFile: file.path)
            let change = ChangeFixtures.everyField

            let quiet = StatusChange(
                id: "\(CallbackFixtures.sid(5))-stale-1", seq: 43, receivedAt: CallbackFixtures.time(8),
                sid: CallbackFixtures.sid(5), status: .sent, previousStatus: .sent, reportedStatus: .sent, errorCode: nil,
                errorMessage: nil, channel: .sms, to: CallbackFixtures.to, applied: false, conflict: false, stale: true)
            try await sink.deliver([change, quiet])

            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2)
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(fields["ts"] as? String == "2026-11-18T11:06:47.000Z")
            #expect(fields["sid"] as? String == change.sid)
            #expect(fields["status"] as? String == "undelivered")
            #expect(fields["previousStatus"] as? String == "sent")
            #expect(fields["reportedStatus"] as? String == "sent")
            #expect(fields["errorCode"] as? Int == 30003)
            #expect(fields["errorMessage"] as? String == "Unreachable destination handset")
            #expect(fields["channel"] as? String == "whatsapp")
            #expect(fields["to"] as? String == "whatsapp:+15558675310")
            #expect(fields["applied"] as? Bool == false)
            #expect(fields["conflict"] as? Bool == true)
            #expect(fields["id"] as? String == change.id)
            #expect(fields["seq"] as? Int == 42)
            #expect(fields["stale"] as? Bool == false)
            // The README promises "stale": true to every sink, the log's lines included.
            let stale = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
            #expect(stale["stale"] as? Bool == true)
        }
    }

    @Test("a line reads back as the LogSinkLine of its change; a status that was applied has no reportedStatus")
    func linesReadBack() async throws {
        try await TemporaryDirectory.with { folder in
            let file = folder.appending(path: "events.jsonl")
            let changes = ChangeFixtures.batch(1...3)

            try await LogSink.appending(toFile: file.path).deliver(changes)

            let lines = try jsonLines(of: file, as: LogSinkLine.self)
            #expect(lines == changes.map(LogSinkLine.init))
            #expect(lines.allSatisfy { $0.reportedStatus == nil })
        }
    }

    @Test("a path that cannot be opened is refused when the sink is made")
    func unopenable() async throws {
        try await TemporaryDirectory.with { folder in
            try Data().write(to: folder.appending(path: "not-a-folder"))
            #expect(throws: SinkSetupError.self) {
                try LogSink.appending(toFile: folder.appending(path: "not-a-folder/events.jsonl").path)
            }
        }
    }
}

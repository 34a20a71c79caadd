import Foundation
import Testing
import TidingsCore
import TidingsTestSupport

/// `tidings tail` against a real `tidings serve`: started as a child, fed callbacks, read
/// line by line, stopped as Ctrl-C would.
///
/// The servers are stopped with SIGKILL: these tests are about the client, and a server
/// stopping gracefully waits for its open event streams.
@Suite("tidings tail")
struct CLITailTests {
    @Test func eachNewChangeIsOneLine() async throws {
        let served = try await ServedTidings()
        defer { served.stop(with: SIGKILL) }
        let before = CallbackFixtures.sid(0x7a0)
        try await served.post(before, "queued")
        let tail = try served.start(["tail"])

        // The stream starts with the next change; post new messages until the tail shows one.
        var probe = 0
        while tail.lines.isEmpty {
            probe += 1
            try #require(probe < 100, "tail showed nothing: \(tail.output)")
            try await served.post(CallbackFixtures.sid(0x7b00 + probe), "queued")
            try await Task.sleep(for: .milliseconds(100))
        }
        let sid = CallbackFixtures.sid(0x7a1)
        try await served.post(sid, "sent")
        try await served.post(sid, "undelivered", errorCode: 30003)
        try await served.post(sid, "delivered")  // too late: kept in history, conflicting
        let lines = try await tail.waitForLines(3) { $0.contains(sid) }
        let result = tail.stop()

        #expect(!result.standardOutput.contains(before), "changes before the tail started are not shown")
        #expect(!result.standardOutput.contains("\u{1B}"))
        #expect(result.standardError.isEmpty)
        let time = #/[0-2][0-9]:[0-5][0-9]:[0-5][0-9] /#
        #expect(lines.allSatisfy { $0.prefixMatch(of: time) != nil })
        #expect(lines.map { String($0.dropFirst(9)) } == [
            "\(sid) sent (sms, \(CallbackFixtures.to))",
            "\(sid) sent → undelivered (sms, \(CallbackFixtures.to)) 30003 Unreachable destination handset",
            "\(sid) undelivered, late delivered not applied (sms, \(CallbackFixtures.to)) 30003 Unreachable destination handset conflict",
        ])
    }

    @Test func jsonPrintsEachChangeAsSentAndFiltersApply() async throws {
        let served = try await ServedTidings()
        defer { served.stop(with: SIGKILL) }
        // From seq 0: every stored change, so nothing depends on when the tail connects.
        let failures = try served.start(["tail", "--json", "--since-seq", "0", "--status", "undelivered", "--status", "failed"])
        let whatsapp = try served.start(["tail", "--json", "--since-seq", "0", "--channel", "whatsapp"])
        let errors = try served.start(["tail", "--only-errors", "--since-seq", "0"])

        let delivered = CallbackFixtures.sid(0x7c1)
        let undelivered = CallbackFixtures.sid(0x7c2)
        let failed = CallbackFixtures.sid(0x7c3)
        for status in ["queued", "sent", "delivered"] {
            try await served.post(delivered, status)
        }
        try await served.post(undelivered, "undelivered", errorCode: 30003)
        try await served.post(failed, "failed", errorCode: 63016, to: "whatsapp:+15558675310")

        let changes = try await failures.waitForLines(2).map {
            try JSONCoding.makeDecoder().decode(StatusChange.self, from: Data($0.utf8))
        }
        #expect(changes.map(\.sid) == [undelivered, failed])
        #expect(changes.map(\.status) == [.undelivered, .failed])
        #expect(changes.map(\.errorCode) == [30003, 63016])
        #expect(changes.allSatisfy { $0.seq != nil })

        let onWhatsApp = try await whatsapp.waitForLines(1)
        #expect(onWhatsApp.count == 1 && onWhatsApp[0].contains(failed))
        let errorLines = try await errors.waitForLines(2)
        #expect(errorLines.map { $0.contains(undelivered) } == [true, false])
        #expect(errorLines.map { $0.contains(failed) } == [false, true])

        // Each tail prints in seq order from seq 0, and the delivered message's changes came
        // first: had the filters let one through, it would stand before the lines above.
        for tail in [failures, whatsapp, errors] {
            let result = tail.stop()
            #expect(!result.standardOutput.contains(delivered))
        }
        #expect(whatsapp.lines.count == 1)
    }

    @Test func afterTheServerComesBackTheTailResumesWhereItWas() async throws {
        let directory = try TemporaryDirectory()
        let first = try await ServedTidings(directory: directory)
        var isFirstRunning = true
        defer { if isFirstRunning { first.stop(with: SIGKILL) } }
        let port = first.server.port
        let before = CallbackFixtures.sid(0x7d1)
        let after = CallbackFixtures.sid(0x7d2)
        try await first.post(before, "sent")
        let tail = try first.start(["tail", "--json", "--since-seq", "0"])
        try await tail.waitForLines(1) { $0.contains(before) }

        first.server.stop(with: SIGKILL)
        isFirstRunning = false
        let second = try await ServedTidings(directory: directory, arguments: ["--port", String(port)])
        defer { second.stop(with: SIGKILL) }
        try await second.post(after, "sent")
        try await tail.waitForLines(1) { $0.contains(after) }
        let result = tail.stop()

        #expect(result.lines.filter { $0.contains(before) }.count == 1, "resumed after the last change shown, not from the start")
        #expect(result.standardError.contains("reconnecting in"))
        #expect(result.standardError.contains("tidings: reconnected to http://127.0.0.1:\(port)"))
    }

    @Test func aRefusedFilterEndsTheTailWithOneLine() async throws {
        let served = try await ServedTidings()
        defer { served.stop(with: SIGKILL) }
        let result = try await served.run(["tail", "--since-seq", "0"], environment: ["TIDINGS_API_TOKEN": "wrong"])
        #expect(result.exitStatus == 1)
        #expect(result.standardError.hasPrefix("tidings: Tidings at \(served.serverURL) refused the API token"))
    }
}

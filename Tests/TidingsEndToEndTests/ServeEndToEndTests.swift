import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// `tidings serve` as users run it: the real binary, real HTTP, its real output streams.
@Suite("tidings serve, end to end")
struct ServeEndToEndTests {
    @Test func aSignedLifeIsStoredAForgeryRefusedAndEveryChangeLogged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await TidingsProcess(
            arguments: ["--data-dir", directory.path("data")], environment: ["TIDINGS_AUTH_TOKEN": "e2e-token"],
            standardOutput: directory.url("stdout.jsonl"))
        defer { server.stop() }
        let client = CallbackClient(port: server.port, authToken: "e2e-token")
        let sid = CallbackFixtures.sid(0xe2e)

        for status in ["queued", "sent"] {
            #expect(try await client.post(CallbackFixtures.parameters(sid: sid, status: status)) == 204)
        }
        let failure = CallbackFixtures.parameters(sid: sid, status: "undelivered", errorCode: 30003, rawDlrDoneDate: "2611231904")
        #expect(try await client.post(failure) == 204)
        #expect(try await client.post(failure) == 204)  // a retry: stored once, logged once
        let forged = CallbackFixtures.parameters(sid: sid, status: "delivered")
        #expect(try await client.post(forged, signature: "bm90LWEtc2lnbmF0dXJl") == 403)

        let (status, body) = try await client.get("/v1/messages/\(sid)")
        #expect(status == 200)
        let record = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: body)
        #expect(record.status == .undelivered)
        #expect(record.errorCode == 30003)
        #expect(record.channel == .sms)
        #expect(record.carrierDoneAt != nil)
        #expect(record.history.map(\.status) == [.queued, .sent, .undelivered])

        let lines = try await waitForLines(in: server.standardOutput, count: 3)
        let statuses = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .map { $0?["status"] as? String }
        #expect(statuses == ["queued", "sent", "undelivered"])
    }

    @Test func withoutAnAuthTokenTheBannerWarnsAndCallbacksAreRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await TidingsProcess(
            arguments: ["--data-dir", directory.path("data")], environment: [:],
            standardOutput: directory.url("stdout.jsonl"))
        defer { server.stop() }
        let client = CallbackClient(port: server.port, authToken: "anything")
        #expect(try await client.post(CallbackFixtures.parameters(sid: CallbackFixtures.sid(1), status: "sent")) == 403)
        #expect(try await client.get("/v1/messages/\(CallbackFixtures.sid(1))").status == 404, "a refused callback stores nothing")
    }

    /// The store is prepared once, before anything uses it: a database that cannot be
    /// reached stops `serve` with one line that says so, and no service complains first.
    @Test func anUnreachableDatabaseStopsServeWithOneLine() async throws {
        try await ClosedPort.with { port in
            let result = try await TidingsCommand.run(
                ["serve", "--port", "0", "--store", "postgres://tidings@127.0.0.1:\(port)/tidings?connect_timeout=2",
                 "--data-dir", NSTemporaryDirectory() + "tidings-unused-\(UUID())"],
                environment: ["TIDINGS_AUTH_TOKEN": "token"])
            #expect(result.exitStatus != 0)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.filter { $0 == "\n" }.count == 1, "\(result.standardError)")
            #expect(result.standardError.contains("cannot bring the schema up to date"))
            #expect(result.standardError.contains("127.0.0.1:\(port)"))
        }
    }

    /// A log level that is no level stops `serve` instead of logging at another level.
    @Test func anUnknownLogLevelStopsServeNamingTheLevels() async throws {
        let result = try await TidingsCommand.run(
            ["serve", "--port", "0", "--data-dir", NSTemporaryDirectory() + "tidings-unused-\(UUID())"],
            environment: ["TIDINGS_AUTH_TOKEN": "token", "TIDINGS_LOG_LEVEL": "loud"])
        #expect(result.exitStatus != 0)
        #expect(result.standardError.contains("--log-level (TIDINGS_LOG_LEVEL) is loud"))
        #expect(result.standardError.contains("trace, debug, info, notice, warning, error, critical"))
    }
}

/// Reads `file` until it holds `count` lines (at most 10 s), and returns them.
func waitForLines(in file: URL, count: Int) async throws -> [String] {
    var lines: [String] = []
    for _ in 0..<200 {
        lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        if lines.count >= count { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    return lines
}

import Foundation
import Testing
import TidingsTestSupport

/// `tidings reconcile` against a real `tidings serve` whose Twilio REST API is a fake on
/// loopback (``FakeMessagesAPI``). The server runs no scheduled pass (`--reconcile-every 0`),
/// so every request the fake sees comes from the command; it asks about messages quiet for
/// longer than a second (`--reconcile-after 1s`), which these tests wait for in real time:
/// the server goes by the wall clock.
@Suite("tidings reconcile")
struct CLIReconcileTests {
    static let updated = "Fri, 15 Jan 2027 08:00:00 +0000"
    /// The account the sweep lists, when the server is given one.
    static let sweptAccount = "AC" + String(repeating: "5", count: 32)

    /// A server that asks `api`, with `--twilio-account-sid sweptAccount` when `sweeping`.
    private func served(asking api: FakeMessagesAPI, sweeping: Bool = false) async throws -> ServedTidings {
        try await ServedTidings(arguments: [
            "--twilio-api-url", api.baseURL, "--reconcile-after", "1s", "--reconcile-every", "0",
        ] + (sweeping ? ["--twilio-account-sid", Self.sweptAccount] : []))
    }

    /// Runs `tidings reconcile arguments` until a pass asks `api` something — once a posted
    /// message has been quiet for the server's `--reconcile-after` — and returns that run.
    /// The runs before it found nothing quiet, and must have ended well.
    private func reconcileOnceQuiet(
        _ served: ServedTidings, _ arguments: [String] = [], api: FakeMessagesAPI
    ) async throws -> CommandResult {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let result = try await served.run(["reconcile"] + arguments)
            if !api.requests.isEmpty { return result }
            #expect(result.exitStatus == 0, "a pass with nothing quiet yet: \(result.standardError)")
            try #require(ContinuousClock.now < deadline, "no pass asked Twilio within 20 s; the last said:\n\(result.standardOutput)")
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aQuietMessageIsFetchedAndItsStatusMovesWithTheAPIInItsHistory() async throws {
        try await FakeMessagesAPI.with(answer: { sid, _ in .message(sid, "delivered", updated: Self.updated) }) { api in
            let served = try await served(asking: api)
            defer { served.stop() }
            let sid = CallbackFixtures.sid(0x7ec1)
            try await served.post(sid, "sent")

            let result = try await reconcileOnceQuiet(served, ["--json"], api: api)
            #expect(result.exitStatus == 0)
            #expect(result.standardError.isEmpty)
            let summary = try json(result.standardOutput)
            #expect(summary["checked"] as? Int == 1)
            #expect(summary["changed"] as? Int == 1)
            #expect(summary["discovered"] as? Int == 0 && summary["notFound"] as? Int == 0 && summary["failed"] as? Int == 0)
            #expect(summary["stopped"] == nil)

            #expect(api.requests.map(\.sid) == [sid])
            #expect(api.requests.first?.account == CallbackFixtures.accountSid, "the account the callback named")
            let basic = "Basic " + Data("\(CallbackFixtures.accountSid):\(ServedTidings.authToken)".utf8).base64EncodedString()
            #expect(api.requests.first?.authorization == basic, "the served instance's auth token signs in")

            let record = try json(try await served.run(["status", sid, "--json"]).standardOutput)
            #expect(record["status"] as? String == "delivered")
            let history = try #require(record["history"] as? [[String: Any]])
            #expect(history.compactMap { $0["source"] as? String } == ["callback", "api"])
            #expect(history.last?["status"] as? String == "delivered")

            let report = try await served.run(["status", sid])
            #expect(report.lines.first == "\(sid)  delivered")
            let rows = report.lines.map { $0.split(separator: " ").map(String.init) }
            #expect(rows.contains { $0.dropFirst(2).prefix(3) == ["api", "delivered", "yes"] }, "\(report.standardOutput)")
        }
    }

    @Test func theSweepFindsAMessageTidingsNeverHeardOf() async throws {
        let unheard = CallbackFixtures.sid(0x7ec2)
        try await FakeMessagesAPI.with(
            answer: { sid, _ in .init(status: 500) },
            list: { _ in .page([FakeMessagesAPI.Answer.messageJSON(unheard, "delivered", updated: Self.updated)], next: nil) }
        ) { api in
            let served = try await served(asking: api, sweeping: true)
            defer { served.stop() }

            let result = try await served.run(["reconcile", "--sweep", "24h"])
            #expect(result.exitStatus == 0)
            #expect(result.standardError.isEmpty)
            #expect(!result.standardOutput.contains("\u{1B}"), "no colours when standard output is not a terminal")
            #expect(result.lines.first == "1 message checked with Twilio")
            let rows = result.lines.map { $0.split(separator: " ").map(String.init) }
            #expect(rows.contains { $0.prefix(3) == ["RESULT", "MESSAGES", "MEANING"] })
            #expect(rows.contains { $0.prefix(2) == ["discovered", "1"] }, "\(result.standardOutput)")
            #expect(rows.contains { $0.prefix(2) == ["changed", "0"] })
            #expect(rows.contains { $0.prefix(3) == ["not", "found", "0"] })
            #expect(rows.contains { $0.prefix(2) == ["failed", "0"] })
            #expect(!result.standardOutput.contains("The pass stopped"))

            let asked = try #require(api.requests.first)
            #expect(api.requests.count == 1, "the delivered message is final: it is not fetched again")
            #expect(asked.sid.isEmpty && asked.account == Self.sweptAccount && asked.query.contains("DateSent"))

            let status = try await served.run(["status", unheard])
            #expect(status.exitStatus == 0)
            #expect(status.lines.first == "\(unheard)  delivered")
        }
    }

    @Test func refusedCredentialsStopThePassWithStatus3AndNeverPrintTheToken() async throws {
        try await FakeMessagesAPI.with(answer: { _, _ in .init(status: 401) }, list: { _ in .init(status: 401) }) { api in
            let served = try await served(asking: api)
            defer { served.stop() }
            let sid = CallbackFixtures.sid(0x7ec3)
            try await served.post(sid, "sent")

            let result = try await reconcileOnceQuiet(served, api: api)
            #expect(result.exitStatus == 3)
            #expect(result.lines.first == "1 message checked with Twilio")
            #expect(result.standardOutput.contains("The pass stopped: Twilio refused the credentials (401)"), "\(result.standardOutput)")
            for text in [result.standardOutput, result.standardError] {
                #expect(!text.contains(ServedTidings.authToken))
            }
            #expect(api.requests.count == 1)

            let scripted = try await served.run(["reconcile", "--json"])
            #expect(scripted.exitStatus == 3, "--json exits 3 too")
            #expect(try json(scripted.standardOutput)["stopped"] as? String != nil)

            let record = try json(try await served.run(["status", sid, "--json"]).standardOutput)
            #expect(record["status"] as? String == "sent")
            #expect((record["history"] as? [[String: Any]])?.count == 1, "a refused answer records nothing")
        }
    }

    @Test func aSweepThatIsNoDurationIsRefusedBeforeAnyRequest() async throws {
        try await ClosedPort.with { port in
            // Any request would fail with "cannot reach": the port refuses connections.
            let result = try await TidingsCommand.run(["reconcile", "--sweep", "nonsense", "--server", "http://127.0.0.1:\(port)"])
            #expect(result.exitStatus != 0)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.contains("--sweep nonsense is not a duration"), "\(result.standardError)")
            #expect(!result.standardError.contains("cannot reach"))
        }
    }

    @Test func aSweepOfAServerWithoutAnAccountSaysWhatToSet() async throws {
        try await FakeMessagesAPI.with(answer: { sid, _ in .message(sid, "delivered", updated: Self.updated) }) { api in
            let served = try await served(asking: api)
            defer { served.stop() }
            let result = try await served.run(["reconcile", "--sweep", "24h"])
            #expect(result.exitStatus != 0)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == """
                tidings: Tidings answered 409: The sweep lists an account's messages: \
                set TIDINGS_TWILIO_ACCOUNT_SID (comma-separated for several accounts).

                """)
            #expect(api.requests.isEmpty)
        }
    }
}

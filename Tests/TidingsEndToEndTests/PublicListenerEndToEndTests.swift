import Foundation
import Testing
import TidingsTestSupport

/// The real binary as an attacker and an unlucky operator meet it: more sockets than it may
/// open files, a second process on the same data directory, a secret `serve` would refuse.
@Suite("tidings serve facing the internet")
struct PublicListenerEndToEndTests {
    static let authToken = "e2e-public-listener-token"

    /// The test's own soft open-file limit raised to its hard limit, so that it can open
    /// more sockets than the server it tests may.
    static func raiseOwnOpenFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }

    @Test func elevenHundredIdleAndSlowSocketsUnderA1024FileLimitDoNotKeepCallbacksOut() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            Issue.record("prlimit (util-linux) is needed to start the server under a 1,024-file limit")
            return
        }
        try #require(Self.raiseOwnOpenFileLimit() >= 1400, "the test itself needs more than 1,100 sockets")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await TidingsProcess(
            arguments: ["--data-dir", directory.path("data")], environment: ["TIDINGS_AUTH_TOKEN": Self.authToken],
            standardOutput: directory.url("events.jsonl"), launcher: ["/usr/bin/prlimit", "--nofile=1024:1024", "--"])
        defer { server.stop() }

        var sockets: [RawConnection] = []
        for index in 0..<1100 {
            let socket = try RawConnection(port: server.port)
            // Every other one is a slowloris client, stuck in its headers.
            if index.isMultiple(of: 2) { try socket.send("POST /twilio/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
            sockets.append(socket)
        }
        let callbacks = CallbackClient(port: server.port, authToken: Self.authToken)
        for number in 1...5 {
            let answer = try await callbacks.post(CallbackFixtures.parameters(sid: CallbackFixtures.sid(number), status: "sent"))
            #expect(answer == 204, "signed callback \(number) with 1,100 sockets open")
        }
        #expect(try await callbacks.get("/healthz").status == 200)
        withExtendedLifetime(sockets) {}
    }

    @Test func aSecondServeOrAMigrationOnTheSameDataDirectorySaysWhoHoldsItAndExits() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try await TidingsProcess(
            arguments: ["--data-dir", directory.path("data")], environment: ["TIDINGS_AUTH_TOKEN": Self.authToken],
            standardOutput: directory.url("first.jsonl"))
        defer { first.stop() }
        let second = try await TidingsCommand.run(
            ["serve", "--port", "0", "--data-dir", directory.path("data")], environment: ["TIDINGS_AUTH_TOKEN": Self.authToken])
        #expect(second.exitStatus != 0)
        #expect(second.standardError.contains("another tidings serve already uses the data directory"), "\(second.standardError)")
        #expect(second.standardError.contains("pid "), "names the holder: \(second.standardError)")
        // Nor does `migrate` change the schema under a running serve.
        let migration = try await TidingsCommand.run(["migrate", "--data-dir", directory.path("data")])
        #expect(migration.exitStatus != 0)
        #expect(migration.standardError.contains("another tidings serve already uses the data directory"), "\(migration.standardError)")
        // Once the serve has stopped, it may.
        first.stop()
        let afterwards = try await TidingsCommand.run(["migrate", "--data-dir", directory.path("data")])
        #expect(afterwards.exitStatus == 0, "\(afterwards.standardError)")
        #expect(afterwards.standardOutput.contains("the schema is up to date"), "\(afterwards.standardOutput)")
    }

    @Test func configCheckRefusesAWebhookSecretServeWouldRefuse() async throws {
        let result = try await TidingsCommand.run(
            ["config", "check", "--sink", "webhook=https://crm.example.com/hooks/sms;name=crm"],
            environment: ["TIDINGS_WEBHOOK_SECRET": "whsec_!!not-base64!!"])
        #expect(result.exitStatus != 0, "\(result.standardOutput)")
        #expect(result.standardError.contains("crm") && result.standardError.contains("TIDINGS_WEBHOOK_SECRET"), "\(result.standardError)")
        #expect(!result.standardError.contains("not-base64"), "the secret itself is never printed: \(result.standardError)")
    }
}

import Foundation
import Testing
import TidingsTestSupport

/// The README's advice for a pooler between Tidings and PostgreSQL, against a real PgBouncer
/// in each mode (`.ci/start-test-pgbouncer.sh`): with session pooling instances work as on
/// a direct connection; with transaction pooling callbacks are refused — never acknowledged
/// and lost — and the log says what to change.
@Suite(
    "Tidings behind PgBouncer",
    .enabled(if: PgBouncer.shouldRun, Comment(rawValue: PgBouncer.skipReason)))
struct ConnectionPoolerTests {
    static let token = "pooler-token"

    @Test func withSessionPoolingTwoInstancesRecordAsOnOneDatabase() async throws {
        let traffic = try await SharedDatabaseTraffic(ShuffledLives(messages: 90, firstSID: 0xf0000, seed: 5))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        try await PostgresTestDatabase.withFreshDatabase { url in
            let pooled = try PgBouncer.url(of: url, through: PgBouncer.sessionURL)
            try await LocalReceiver.with { receiver in
                var instances: [TidingsProcess] = []
                defer { for instance in instances { instance.stop() } }
                for number in 1...2 {
                    instances.append(try await TidingsProcess(
                        arguments: [
                            "--store", pooled, "--data-dir", directory.path("unused-\(number)"),
                            "--sink", "webhook=\(receiver.url)",
                        ],
                        environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                        standardOutput: directory.url("stdout-\(number).jsonl")))
                }
                let clients = instances.map { CallbackClient(port: $0.port, authToken: Self.token) }

                #expect(try await traffic.send(0..<traffic.lives.callbacks.count, to: clients).isEmpty)
                try await traffic.expectEveryMessageAsOnOneStore(askingEachOf: clients)
                try await traffic.expectEachChange(deliveredTo: receiver)
                try await traffic.expectEachChange(loggedIn: instances.map(\.standardOutput))
            }
        }
    }

    @Test func withTransactionPoolingCallbacksAreRefusedAndTheLogSaysToPoolSessions() async throws {
        let lives = ShuffledLives(messages: 2, firstSID: 0xf1000, seed: 5)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        try await PostgresTestDatabase.withFreshDatabase { url in
            let pooled = try PgBouncer.url(of: url, through: PgBouncer.transactionURL)
            func start(_ name: String) async throws -> TidingsProcess {
                try await TidingsProcess(
                    arguments: ["--store", pooled, "--data-dir", directory.path(name)],
                    environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                    standardOutput: directory.url("\(name).jsonl"))
            }
            // The pooler keeps one server connection, which the first instance's first commit
            // prepares its statements on; the second instance's first commit meets them there.
            let first = try await start("first")
            defer { first.stop() }
            let firstClient = CallbackClient(port: first.port, authToken: Self.token)
            #expect(try await firstClient.post(lives.callbacks[0].parameters) == 204)

            let second = try await start("second")
            defer { second.stop() }
            let secondClient = CallbackClient(port: second.port, authToken: Self.token)
            let refused = lives.callbacks.first { $0.sid != lives.callbacks[0].sid }!
            #expect(try await secondClient.post(refused.parameters) == 503)
            #expect(second.errorOutput.contains("use session pooling (pool_mode = session)"), "\(second.errorOutput)")

            // Nothing of the refused callback was stored.
            #expect(try await firstClient.get("/v1/messages/\(refused.sid)").status == 404)
        }
    }
}

/// The PgBouncers `.ci/start-test-pgbouncer.sh` starts, in front of the test PostgreSQL.
enum PgBouncer {
    static let sessionURL = ProcessInfo.processInfo.environment["TIDINGS_TEST_PGBOUNCER_SESSION_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }
    static let transactionURL = ProcessInfo.processInfo.environment["TIDINGS_TEST_PGBOUNCER_TRANSACTION_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    /// Whether the tests run: with both poolers named, or under CI, where they then fail
    /// rather than skip.
    static var shouldRun: Bool {
        PostgresTestDatabase.shouldRun
            && (sessionURL != nil && transactionURL != nil || PostgresTestDatabase.isRequired)
    }

    static let skipReason =
        "PgBouncer tests skipped: export TIDINGS_TEST_PGBOUNCER_SESSION_URL=$(.ci/start-test-pgbouncer.sh session) "
        + "and TIDINGS_TEST_PGBOUNCER_TRANSACTION_URL=$(.ci/start-test-pgbouncer.sh transaction)"

    /// `databaseURL` (a fresh test database) reached through the pooler at `poolerURL`,
    /// which serves every database of the server under its own name.
    static func url(of databaseURL: String, through poolerURL: String?) throws -> String {
        guard let poolerURL, let pooler = URLComponents(string: poolerURL),
              var database = URLComponents(string: databaseURL)
        else { throw TestDatabaseError(skipReason) }
        database.host = pooler.host
        database.port = pooler.port
        return database.string!
    }
}

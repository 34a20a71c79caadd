import Foundation
import Testing
import TidingsTestSupport

/// The README's rolling upgrade: instances of a Tidings on PostgreSQL schema version 3 (which
/// always recorded with row locks) keep taking callbacks while instances of this one start,
/// migrate the database under them and record beside them; the old ones are then replaced,
/// and one that restarts is refused.
///
/// It needs the old `tidings`: `.ci/rolling-upgrade.sh` builds it from the last commit on
/// schema version 3 and runs this suite with `TIDINGS_TEST_UPGRADED_FROM` naming it.
/// The `tidings` the upgrade starts from.
private let oldTidings = ProcessInfo.processInfo.environment["TIDINGS_TEST_UPGRADED_FROM"]
    .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }

@Suite(
    "A rolling upgrade from PostgreSQL schema version 3",
    .enabled(
        if: oldTidings != nil && PostgresTestDatabase.shouldRun,
        "needs TIDINGS_TEST_UPGRADED_FROM (the old tidings; .ci/rolling-upgrade.sh builds it) and PostgreSQL"))
struct RollingUpgradeTests {
    static let token = "rolling-upgrade-token"

    @Test func oldAndNewInstancesRecordSideBySideThenTheOldOnesAreReplaced() async throws {
        let old = try #require(oldTidings)
        let traffic = try await SharedDatabaseTraffic(ShuffledLives(messages: 160, firstSID: 0xe0000, seed: 11))
        let count = traffic.lives.callbacks.count
        let quarters = (0...4).map { $0 * count / 4 }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        try await PostgresTestDatabase.withFreshDatabase { url in
            try await LocalReceiver.with { receiver in
                func start(_ executable: URL, _ name: String) async throws -> TidingsProcess {
                    try await TidingsProcess(
                        executable: executable,
                        arguments: ["--store", url, "--data-dir", directory.path(name), "--sink", "webhook=\(receiver.url)"],
                        environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                        standardOutput: directory.url("\(name).jsonl"))
                }
                // The old instance creates the database (schema version 3) and holds both
                // sinks' leases, being the first.
                let oldInstance = try await start(old, "old")
                defer { oldInstance.stop() }
                let oldClient = CallbackClient(port: oldInstance.port, authToken: Self.token)
                #expect(try await traffic.send(quarters[0]..<quarters[1], to: [oldClient]).isEmpty)

                // The new instance migrates to the current schema while the old one records.
                async let sentMeanwhile = traffic.send(quarters[1]..<quarters[2], to: [oldClient])
                let newInstance = try await start(TidingsProcess.executable, "new")
                defer { newInstance.stop() }
                let newClient = CallbackClient(port: newInstance.port, authToken: Self.token)
                #expect(try await sentMeanwhile.isEmpty)

                // Side by side: each message's callbacks go to both.
                #expect(try await traffic.send(quarters[2]..<quarters[3], to: [oldClient, newClient]).isEmpty)

                // The old instance is replaced: stopped, its leases are given up and the new
                // instance feeds the sinks from where the old one left them.
                oldInstance.stop()
                #expect(oldInstance.terminationStatus == 0)
                #expect(try await traffic.send(quarters[3]..<quarters[4], to: [newClient]).isEmpty)

                try await traffic.expectEveryMessageAsOnOneStore(askingEachOf: [newClient])
                try await traffic.expectEachChange(deliveredTo: receiver)
                try await traffic.expectEachChange(loggedIn: [oldInstance.standardOutput, newInstance.standardOutput])

                // An old instance that restarts now is refused, and says why.
                let refusal = await #expect(throws: TidingsProcess.StartError.self) {
                    _ = try await start(old, "old-again")
                }
                #expect(refusal?.output.contains("newer Tidings") == true, "\(refusal?.output ?? "")")
                #expect(refusal?.terminationStatus != 0)
            }
        }
    }
}

import Foundation
import Testing
import TidingsTestSupport

/// Three `tidings serve` on one PostgreSQL database, as behind a load balancer: the same
/// messages' callbacks spread over them in shuffled order, with repeats, end as on one
/// store, and every sink gets every change — at least once, and not once per instance.
@Suite(
    "Several instances on one PostgreSQL",
    .enabled(if: PostgresTestDatabase.shouldRun, Comment(rawValue: PostgresTestDatabase.skipReason)))
struct MultiInstanceTests {
    static let token = "multi-instance-token"

    @Test func callbacksSpreadOverThreeInstancesEndAsOnOneStoreAndReachEachSinkOnce() async throws {
        let traffic = try await SharedDatabaseTraffic(ShuffledLives(messages: 150, firstSID: 0xd0000, seed: 7))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        try await PostgresTestDatabase.withFreshDatabase { url in
            try await LocalReceiver.with { receiver in
                // Started together: their migrations race for the advisory lock.
                let instances = try await withThrowingTaskGroup(of: TidingsProcess.self) { group in
                    for number in 1...3 {
                        group.addTask {
                            try await TidingsProcess(
                                arguments: [
                                    "--store", url, "--data-dir", directory.path("unused-\(number)"),
                                    "--sink", "webhook=\(receiver.url)",
                                ],
                                environment: ["TIDINGS_AUTH_TOKEN": Self.token],
                                standardOutput: directory.url("stdout-\(number).jsonl"))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                defer { for instance in instances { instance.stop() } }
                let clients = instances.map { CallbackClient(port: $0.port, authToken: Self.token) }

                let refused = try await traffic.send(0..<traffic.lives.callbacks.count, to: clients)
                #expect(refused.isEmpty, "every callback acknowledged")
                try await traffic.expectEveryMessageAsOnOneStore(askingEachOf: clients)
                try await traffic.expectEachChange(deliveredTo: receiver)
                try await traffic.expectEachChange(loggedIn: instances.map(\.standardOutput))
            }
        }
    }
}

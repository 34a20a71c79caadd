import Foundation
import Testing
import TidingsCore
import TidingsTestSupport
import TwilioWebhooks

/// Three `tidings serve` on one PostgreSQL database, as behind a load balancer: the same
/// messages' callbacks spread over them in shuffled order, with repeats, end as on one
/// store, and every sink gets every change — at least once, and not once per instance.
@Suite(
    "Several instances on one PostgreSQL",
    .enabled(if: PostgresTestDatabase.shouldRun, Comment(rawValue: PostgresTestDatabase.skipReason)))
struct MultiInstanceTests {
    static let token = "multi-instance-token"

    @Test func callbacksSpreadOverThreeInstancesEndAsOnOneStoreAndReachEachSinkOnce() async throws {
        let lives = ShuffledLives(messages: 150, firstSID: 0xd0000, seed: 7)
        let reference = InMemoryStatusStore()
        for callback in lives.callbacks {
            _ = try await reference.record(try callback.callback(), receivedAt: Date())
        }
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

                // Twelve senders at once, each callback to the next instance in turn.
                let answers = try await withThrowingTaskGroup(of: UInt.self) { group in
                    let workers = 12
                    for worker in 0..<workers {
                        group.addTask {
                            var worst: UInt = 204
                            for index in stride(from: worker, to: lives.callbacks.count, by: workers) {
                                let status = try await clients[index % clients.count].post(lives.callbacks[index].parameters)
                                if status != 204 { worst = status }
                            }
                            return worst
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { $0 == 204 }, "every callback acknowledged")

                // Every instance answers with what one store would have decided.
                for (index, sid) in lives.sids.enumerated() {
                    let expected = try #require(await reference.message(sid: sid))
                    let (status, body) = try await clients[index % clients.count].get("/v1/messages/\(sid)")
                    #expect(status == 200)
                    let stored = try JSONCoding.makeDecoder().decode(MessageRecord.self, from: body)
                    #expect(stored.status == expected.status, "\(sid)")
                    #expect(stored.errorCode == expected.errorCode, "\(sid)")
                    #expect(stored.conflict == expected.conflict, "\(sid)")
                    #expect(Set(stored.timeline.map(\.status)) == Set(expected.timeline.map(\.status)), "\(sid)")
                    #expect(stored.history.count == expected.history.count, "\(sid)")
                }

                // Each change reached the webhook sink, from whichever instance held its lease.
                var expectedIDs: Set<String> = []
                for sid in lives.sids {
                    let history = try #require(await reference.message(sid: sid)).history
                    expectedIDs.formUnion((1...history.count).map { "\(sid)-\($0)" })
                }
                #expect(expectedIDs.count == lives.distinct.count)
                var delivered: [String] = []
                try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                    delivered = receiver.requests.filter(\.wasAccepted).compactMap { $0.headers["webhook-id"] }
                    return Set(delivered).isSuperset(of: expectedIDs)
                }
                #expect(Set(delivered) == expectedIDs, "webhook sink misses \(expectedIDs.subtracting(delivered).count)")
                // Delivery is at least once (a timed-out request is sent again), but were
                // every instance feeding the sink, each change would arrive three times.
                #expect(delivered.count < expectedIDs.count * 3 / 2, "\(delivered.count) deliveries of \(expectedIDs.count) changes")

                // So did the log sink: its lines are on one instance's standard output, or
                // spread over them if its lease moved.
                var logged: [String] = []
                try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                    logged = try (1...3).flatMap { number in
                        try String(contentsOf: directory.url("stdout-\(number).jsonl"), encoding: .utf8)
                            .split(separator: "\n").compactMap { line in
                                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
                            }
                    }
                    return Set(logged).isSuperset(of: expectedIDs)
                }
                #expect(Set(logged) == expectedIDs)
                #expect(logged.count < expectedIDs.count * 3 / 2, "\(logged.count) lines for \(expectedIDs.count) changes")
            }
        }
    }
}

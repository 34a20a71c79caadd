import Foundation
import Logging
import PostgresNIO
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// A failover that leaves the store's connections open but dead (no reset ever comes):
/// simulated by stopping their server processes (`SIGSTOP`), while new connections get new,
/// answering ones. Operations on the dead connections fail at the deadline and close them
/// (`ConnectionInUse`), so the store goes on over new connections instead of keeping the
/// dead ones leased until TCP gives them up, which would fill the pool with them.
extension PostgresStatusStoreTests {
    @Test("when every connection of the store goes dead, it records again over new ones")
    func recordsAgainWhenItsConnectionsGoDead() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresStatusStore.withTestStore(url: url) { _ in
                let database = URLComponents(string: url)!
                try await PostgresStatusStore.withImpatientStore(url: url, maximumConnections: 3) { store in
                    for number in 0..<6 {
                        _ = try await store.record(
                            try CallbackFixtures.callback(sid: CallbackFixtures.sid(0xA500 + number), status: "queued"),
                            receivedAt: Date())
                    }
                    // Reads at once open every connection the pool may have, all of them to die.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for number in 0..<30 {
                            group.addTask { _ = try await store.message(sid: CallbackFixtures.sid(0xA500 + number % 6)) }
                        }
                        try await group.waitForAll()
                    }
                    let stopped = try await PostgresTestDatabase.serverProcesses(of: database)
                    #expect(!stopped.isEmpty)
                    for pid in stopped { #expect(kill(pid, SIGSTOP) == 0, "stopping server process \(pid)") }
                    defer { for pid in stopped { kill(pid, SIGCONT) } }

                    // The sinks' reads of the outbox, as the recording, go on over new
                    // connections rather than holding the dead ones.
                    var failedReads = 0
                    let reading = try await eventually(timeout: .seconds(30), every: .milliseconds(10)) {
                        if (try? await store.latestSeq()) != nil { return true }
                        failedReads += 1
                        return false
                    }
                    #expect(reading, "read the outbox again over a new connection")
                    #expect(failedReads >= 1, "the dead connections were tried first")

                    var failures = 0
                    var number = 0
                    let recovered = try await eventually(timeout: .seconds(30), every: .milliseconds(10)) {
                        number += 1
                        do {
                            _ = try await store.record(
                                try CallbackFixtures.callback(sid: CallbackFixtures.sid(0xA600 + number), status: "queued"),
                                receivedAt: Date())
                            return true
                        } catch {
                            failures += 1
                            return false
                        }
                    }
                    #expect(recovered, "recorded again over a new connection (\(failures) failed first)")
                }
            }
        }
    }
}

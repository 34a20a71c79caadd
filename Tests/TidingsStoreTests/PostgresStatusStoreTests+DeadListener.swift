import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// A failover can leave the listening connection open but dead: it only receives, so no
/// statement of its own ever fails. The store asks it `SELECT 1` every
/// `listenerCheckInterval` on the store's clock — stepped here — and a listener whose
/// server process is stopped (`SIGSTOP`) is closed at the deadline and listens again on a
/// new connection.
extension PostgresStatusStoreTests {
    @Test("a listener whose connection went dead is found out by its check, and listens again on a new one")
    func aDeadListenerListensAgain() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresStatusStore.withTestStore(url: url) { _ in }  // migrates
            let database = URLComponents(string: url)!
            let manual = ManualClock()
            // Deadlines of 1 s on the manual clock.
            try await PostgresStatusStore.withImpatientStore(url: url, clock: ServiceClock(manual)) { store in
                let heard = Atomic<Int>(0)
                store.observeChanges { changes in if changes.isEmpty { heard.add(1, ordering: .relaxed) } }
                /// Hears another instance's commit, as its `NOTIFY`; true once `count` calls came.
                @Sendable func hears(_ count: Int) async throws -> Bool {
                    try await PostgresTestDatabase.execute("NOTIFY \(PostgresStatusStore.changesChannel), '1 elsewhere'", on: database)
                    return heard.load(ordering: .relaxed) >= count
                }
                // Its start-up call and one notification.
                try #require(try await eventually(every: .milliseconds(100)) { try await hears(2) }, "the store listens")
                let stopped = try #require(try await listeningProcesses(of: database).first)
                // Stopped while it waits for its client rather than while it reads the
                // notification queue, whose lock every NOTIFY of the cluster needs.
                #expect(try await eventually { try await isWaitingForItsClient(stopped, in: database) })
                try #require(try await eventually { manual.sleepers == 1 }, "the listener's check waits for its time")

                #expect(kill(stopped, SIGSTOP) == 0)
                defer { kill(stopped, SIGCONT) }
                // The check asks the dead connection, which does not answer by the deadline…
                manual.advance(by: PostgresStatusStore.listenerCheckInterval)
                #expect(try await eventually { manual.sleepers == 1 }, "the check waits for its answer")
                manual.advance(by: .seconds(1))
                // …so it is closed, and the store listens again after a second's pause (and after
                // another, should the pool not have seen the closed connection go yet). Once it
                // listens, the only sleeper is the next check, 30 s away.
                #expect(try await eventually { manual.sleepers == 1 }, "the listener pauses before it listens again")
                let beforeListeningAgain = heard.load(ordering: .relaxed)
                let listensAgain = try await eventually {
                    guard heard.load(ordering: .relaxed) == beforeListeningAgain else { return true }
                    if manual.sleepers == 1 { manual.advance(by: .seconds(1)) }
                    return false
                }
                try #require(listensAgain, "the store listens again")

                let hearing = try await eventually(every: .milliseconds(100)) { try await hears(beforeListeningAgain + 2) }
                #expect(hearing, "the store hears other instances again")
                let listening = try await listeningProcesses(of: database)
                // (The stopped process still shows: it has not seen its connection close.)
                #expect(listening.contains { $0 != stopped }, "listening on a new connection: \(listening)")
            }
        }
    }

    /// Whether the server process `pid` is idle, waiting for its client to send something.
    private func isWaitingForItsClient(_ pid: Int32, in url: URLComponents) async throws -> Bool {
        try await PostgresTestDatabase.withConnection(to: url) { connection in
            let rows = try await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'idle' AND wait_event = 'ClientRead'",
                logger: Logger(label: "tidings-tests"))
            for try await count in rows.decode(Int64.self) { return count == 1 }
            return false
        }
    }

    /// The server processes of the connections that `LISTEN` to the database `url` names.
    private func listeningProcesses(of url: URLComponents) async throws -> [Int32] {
        try await PostgresTestDatabase.withConnection(to: url) { connection in
            let rows = try await connection.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
                logger: Logger(label: "tidings-tests"))
            var pids: [Int32] = []
            for try await pid in rows.decode(Int32.self) { pids.append(pid) }
            return pids
        }
    }
}

import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport
import TwilioWebhooks

/// What only the PostgreSQL store does: several instances on one database, migrations that
/// race, notifications between instances, and a database that is not there. (The shared
/// behaviour is in the conformance suites, which run against PostgreSQL too.)
@Suite(
    "PostgreSQL store: several instances on one database",
    .enabled(if: PostgresTestDatabase.shouldRun, Comment(rawValue: PostgresTestDatabase.skipReason)))
struct PostgresStatusStoreTests {
    /// Runs `body` with `count` running stores (instances) on one fresh, migrated database.
    func withInstances<Result: Sendable>(
        _ count: Int, _ body: ([PostgresStatusStore]) async throws -> Result
    ) async throws -> Result {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await withStores(count, url: url, body)
        }
    }

    private func withStores<Result: Sendable>(
        _ count: Int, url: String, _ body: ([PostgresStatusStore]) async throws -> Result
    ) async throws -> Result {
        guard count > 0 else { return try await body([]) }
        return try await PostgresStatusStore.withTestStore(url: url) { store in
            try await withStores(count - 1, url: url) { others in try await body([store] + others) }
        }
    }

    @Test("callbacks spread over three instances in shuffled order end as on one store")
    func instancesAgreeWithOneStore() async throws {
        let lives = ShuffledLives(messages: 60, firstSID: 0x9000)
        let reference = InMemoryStatusStore()
        for callback in lives.callbacks {
            _ = try await reference.record(try callback.callback(), receivedAt: Date())
        }

        try await withInstances(3) { instances in
            let outcomes = try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
                for (index, callback) in lives.callbacks.enumerated() {
                    let instance = instances[index % instances.count]
                    let typed = try callback.callback()
                    group.addTask { try await instance.record(typed, receivedAt: JSONCoding.wholeMilliseconds(Date())) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // Each distinct callback made one change; its repeats none, whichever instance took them.
            let changes = outcomes.compactMap(\.change)
            #expect(changes.count == lives.distinct.count)
            #expect(outcomes.count - changes.count == lives.callbacks.count - lives.distinct.count)
            // The outbox numbers them 1…n with no gap and no repeat.
            #expect(changes.compactMap(\.seq).sorted() == Array(1...Int64(changes.count)))
            let outbox = try await instances[0].changes(after: 0, limit: 10_000)
            #expect(outbox.map(\.seq) == (1...Int64(changes.count)).map { $0 })
            #expect(try await instances[2].latestSeq() == Int64(changes.count))
            // In seq order, each message's changes take its history's places one by one,
            // each starting from the status the one before left: no read-modify-write race.
            for (sid, ownChanges) in Dictionary(grouping: outbox, by: \.sid) {
                #expect(ownChanges.map(\.id) == ownChanges.indices.map { "\(sid)-\($0 + 1)" }, "\(sid)")
                #expect(Array(ownChanges.dropFirst().map(\.previousStatus)) == ownChanges.dropLast().map(\.status), "\(sid)")
            }

            for sid in lives.sids {
                let expected = try #require(await reference.message(sid: sid))
                let stored = try #require(try await instances[1].message(sid: sid))
                #expect(stored.status == expected.status, "\(sid)")
                #expect(stored.errorCode == expected.errorCode, "\(sid)")
                #expect(stored.conflict == expected.conflict, "\(sid)")
                #expect(Set(stored.timeline.map(\.status)) == Set(expected.timeline.map(\.status)), "\(sid)")
                #expect(stored.history.count == expected.history.count, "\(sid)")
                #expect(stored.history.map(\.duplicates).reduce(0, +) == expected.history.map(\.duplicates).reduce(0, +))
            }
        }
    }

    @Test("instances that start together migrate once")
    func concurrentMigrations() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            let stores = (0..<4).map { _ in
                PostgresStatusStore(configuration: try! PostgresStoreConfiguration(url: url), logger: Logger(label: "test"))
            }
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for store in stores {
                    group.addTask { try await store.whileRunning { try await store.migrate() } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(applied.filter { !$0.isEmpty } == [[1, 2, 3, 4, 5]], "one instance applied every version, the others nothing")
            let later = PostgresStatusStore(configuration: try PostgresStoreConfiguration(url: url), logger: Logger(label: "test"))
            #expect(try await later.whileRunning { try await later.migrate() }.isEmpty)
        }
    }

    @Test("a schema from a newer Tidings is refused, in words")
    func newerSchema() async throws {
        try await withInstances(1) { instances in
            let store = instances[0]
            try await PostgresTestDatabase.execute(
                "INSERT INTO tidings_schema_migrations (version, name) VALUES (99, 'from the future')",
                on: URLComponents(string: Self.url(of: store))!)
            let error = await #expect(throws: StatusStoreError.self) { try await store.migrate() }
            #expect(error?.description.contains("newer Tidings") == true)
            #expect(error?.description.contains("99") == true)
        }
    }

    @Test("a change stored by one instance is announced to the others at once")
    func notifications() async throws {
        try await withInstances(2) { instances in
            let heard = Atomic<Int>(0)
            instances[1].observeChanges { changes in if changes.isEmpty { heard.add(1, ordering: .relaxed) } }
            // Only the listener calls observers, and this one was added after the listener's
            // start-up call: a call now is the other instance's NOTIFY. The listener may not
            // be listening yet at first, so changes are stored until one is heard (10 s at most).
            for number in 0..<50 where heard.load(ordering: .relaxed) == 0 {
                _ = try await instances[0].record(
                    try CallbackFixtures.callback(sid: CallbackFixtures.sid(0x9900 + number), status: "sent"), receivedAt: Date())
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(heard.load(ordering: .relaxed) > 0, "the other instance heard of the changes")
        }
    }

    @Test("a commit's NOTIFY is known as its own by the instance that sent it, and by no other")
    func ownNotifications() async throws {
        try await withInstances(1) { instances in
            let (own, other) = (instances[0].announcements, ChangeAnnouncements())
            let published = Atomic<Int>(0)
            for announcements in [own, other] {
                announcements.observers.add { _ in published.add(1, ordering: .relaxed) }
            }
            let rows = try await instances[0].client.query(
                PostgresQuery(unsafeSQL: "SELECT \(ChangeAnnouncements.payloadSQL(latestSeq: "41 + 1", token: "'\(own.token)'"))"))
            var payload = ""
            for try await text in rows.decode(String.self) { payload = text }
            #expect(payload == "42 \(own.token)")

            own.heard(payload)
            #expect(published.load(ordering: .relaxed) == 0, "its own commit is not announced again")
            other.heard(payload)
            #expect(published.load(ordering: .relaxed) == 1, "another instance reads the outbox")
            own.heard("42")
            #expect(published.load(ordering: .relaxed) == 2, "a payload without a token (an older Tidings) is announced")
        }
    }

    @Test("a callback with a NUL character is refused by the database, not stored truncated")
    func nulCharacter() async throws {
        try await withInstances(1) { instances in
            let callback = try CallbackFixtures.callback(sid: CallbackFixtures.sid(0x9901), status: "sent", to: "+1555\0")
            await #expect(throws: StatusStoreError.self) {
                try await instances[0].record(callback, receivedAt: Date())
            }
            #expect(try await instances[0].message(sid: callback.messageSid) == nil)
        }
    }

    /// The URL of `store`'s database, as the test server is reached.
    static func url(of store: PostgresStatusStore) -> String {
        let configuration = store.configuration
        return "postgres://\(configuration.username)@\(configuration.host):\(configuration.port)/\(configuration.database)"
    }
}

/// A database that cannot be reached fails an operation within its timeout, saying why —
/// no server needed.
@Suite("PostgreSQL store: an unreachable database")
struct UnreachablePostgresTests {
    @Test("operations fail within connect_timeout with the reason of a direct attempt")
    func refusedConnection() async throws {
        try await ClosedPort.with { port in try await refused(port: port) }
    }

    @Test("a server that takes connections and never answers is diagnosed within 2 s, whatever connect_timeout says")
    func silentServer() async throws {
        try await ClosedPort.withSilentServer { port in
            let configuration = try PostgresStoreConfiguration(
                url: "postgres://tidings@127.0.0.1:\(port)/tidings?sslmode=disable&connect_timeout=600")
            // The callers of the operation that timed out wait for this: were it to wait for
            // connect_timeout, it would not return for ten minutes.
            #expect(await PostgresFailure.diagnosis(of: configuration) == "a new connection timed out")
        }
    }

    private func refused(port: Int) async throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://tidings@127.0.0.1:\(port)/tidings?sslmode=disable&connect_timeout=1")
        // The deadline on a manual clock, so that a loaded machine's late tasks do not spend it.
        let manual = ManualClock()
        let store = PostgresStatusStore(configuration: configuration, logger: Logger(label: "test"), clock: ServiceClock(manual))
        try await store.whileRunning {
            let started = ContinuousClock.now
            let recording = Task {
                try await store.record(
                    try CallbackFixtures.callback(sid: CallbackFixtures.sid(1), status: "sent"), receivedAt: Date())
            }
            // The commit waits for a connection (the pool alone would wait for good) until
            // its deadline, 1 s on.
            let waiting = try await eventually { manual.sleepers >= 1 }
            #expect(waiting, "the commit's deadline is set")
            manual.advance(by: .seconds(1))
            let error = await #expect(throws: StatusStoreError.self) { _ = try await recording.value }
            // The diagnosis is bounded too; generous for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(error?.description.contains("127.0.0.1:\(port)/tidings") == true)
            #expect(error?.description.contains("did not answer within 1") == true)
            #expect(error?.description.lowercased().contains("refused") == true, "\(String(describing: error))")
        }
    }
}

import Foundation
import GRDB
import Testing
import TidingsTestSupport
import TidingsCore
@testable import TidingsSQLite
import TwilioWebhooks

/// What only the SQLite store promises: durability across restarts, its pragmas, its
/// schema, its errors, and group commit (its outbox: `SQLiteStatusStoreTests+Outbox.swift`;
/// its listing and stats queries: `SQLiteStatusStoreTests+Queries.swift`).
@Suite("SQLiteStatusStore")
struct SQLiteStatusStoreTests {
    typealias Fixture = CallbackFixtures

    /// One row of the `messages` table, as stored.
    private struct MessageRow: Decodable, FetchableRecord, Sendable {
        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

        let status: String
        let rank: Int?
        let isFinal: Bool
        let errorCode: Int?
        let channel: String
        let conflict: Bool
        let firstSeenAt: Double
        let updatedAt: Double
        let record: String
    }

    /// The record as the JSON document the API shows and the store keeps.
    private func document(_ record: MessageRecord) throws -> String {
        String(decoding: try JSONCoding.makeEncoder().encode(record), as: UTF8.self)
    }

    @Test("a restart keeps every record as it was returned")
    func restartKeepsEverything() async throws {
        try await TemporaryDirectory.with { directory in
            var returned: [String: MessageRecord] = [:]
            do {
                let store = try SQLiteStatusStore(directory: directory)
                for message in 0..<50 {
                    let sid = Fixture.sid(message)
                    let fate = message.isMultiple(of: 3)
                        ? try Fixture.callback(sid: sid, status: "undelivered", errorCode: 30003)
                        : try Fixture.callback(sid: sid, status: "delivered", rawDlrDoneDate: "2611231904")
                    let sent = try Fixture.callback(
                        sid: sid, status: "sent", extra: [.init(name: "Segment", value: "\(message)")])
                    let callbacks = [
                        try Fixture.callback(sid: sid, status: "queued", to: "whatsapp:+1555000\(message)"),
                        fate, sent, sent,
                        try Fixture.callback(sid: sid, status: "read", eventType: "READ"),
                    ]
                    for (index, callback) in callbacks.enumerated() {
                        let outcome = try await store.record(callback, receivedAt: Fixture.time(message + index))
                        returned[sid] = outcome.record
                    }
                }
            }

            let reopened = try SQLiteStatusStore(directory: directory)
            #expect(returned.count == 50)
            for (sid, record) in returned {
                let stored = try #require(try await reopened.message(sid: sid))
                #expect(try document(stored) == document(record))
            }
        }
    }

    @Test("the indexed columns mirror the record")
    func columnsMirrorTheRecord() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let sid = Fixture.sid(1)
            _ = try await store.record(
                try Fixture.callback(sid: sid, status: "sent", to: "whatsapp:+15558675310"),
                receivedAt: Fixture.time(0))
            _ = try await store.record(
                try Fixture.callback(sid: sid, status: "undelivered", errorCode: 63016, to: "whatsapp:+15558675310"),
                receivedAt: Fixture.time(5))
            let outcome = try await store.record(
                try Fixture.callback(sid: sid, status: "failed", errorCode: 30008, to: "whatsapp:+15558675310"),
                receivedAt: Fixture.time(9))

            let fetched = try await store.pool.read { db in
                try MessageRow.fetchOne(db, sql: "SELECT * FROM messages WHERE sid = ?", arguments: [sid])
            }
            let row = try #require(fetched)
            #expect(row.status == "undelivered")
            #expect(row.rank == 4)
            #expect(row.isFinal)
            #expect(row.errorCode == 63016)
            #expect(row.channel == "whatsapp")
            #expect(row.conflict)
            #expect(row.firstSeenAt == Fixture.time(0).timeIntervalSince1970)
            #expect(row.updatedAt == Fixture.time(9).timeIntervalSince1970)
            #expect(try row.record == document(outcome.record))
        }
    }

    @Test("WAL mode, the synchronous level and the busy timeout are set", arguments: SQLiteSynchronous.allCases)
    func pragmas(synchronous: SQLiteSynchronous) async throws {
        // The numbers `PRAGMA synchronous` answers, as SQLite documents them.
        let pragmaNumbers: [SQLiteSynchronous: Int] = [.normal: 1, .full: 2]
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory, synchronous: synchronous)
            let (journalMode, level, busyTimeout) = try await store.pool.writeWithoutTransaction { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                    try Int.fetchOne(db, sql: "PRAGMA busy_timeout")
                )
            }
            #expect(journalMode == "wal")
            #expect(level == pragmaNumbers[synchronous])
            #expect(busyTimeout == Int(SQLiteStatusStore.busyTimeout * 1000))
        }
    }

    @Test("the default synchronous level is FULL")
    func defaultIsFull() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            #expect(store.synchronous == .full)
            let level = try await store.pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(level == 2)
        }
    }

    @Test("a directory that cannot be created is named in the error")
    func uncreatableDirectory() async throws {
        try await TemporaryDirectory.with { parent in
            let blocker = parent.appending(path: "a-file")
            try Data("not a directory".utf8).write(to: blocker)
            let directory = blocker.appending(path: "data", directoryHint: .isDirectory)

            let error = try #require(throws: StatusStoreError.self) {
                try SQLiteStatusStore(directory: directory)
            }
            #expect(error.description.contains("cannot create the data directory"))
            #expect(error.description.contains(directory.path(percentEncoded: false)))
        }
    }

    @Test("opening says which schema versions it applied: those missing, then none")
    func openingReportsItsMigrations() async throws {
        try await TemporaryDirectory.with { directory in
            do {
                let pool = try DatabasePool(
                    path: directory.appending(path: SQLiteStatusStore.fileName).path(percentEncoded: false))
                try SQLiteStatusStore.migrator.migrate(pool, upTo: "v6-conversation-messages")
                try pool.close()
            }
            let migrated = try SQLiteStatusStore(directory: directory)
            #expect(try await migrated.prepare() == [7, 8])
            let reopened = try SQLiteStatusStore(directory: directory)
            #expect(try await reopened.prepare() == [])
        }
        try await TemporaryDirectory.with { directory in
            let created = try SQLiteStatusStore(directory: directory)
            #expect(try await created.prepare() == Array(1...8))
        }
    }

    @Test("a database from a newer Tidings is refused")
    func newerSchemaRefused() async throws {
        try await TemporaryDirectory.with { directory in
            do {
                let store = try SQLiteStatusStore(directory: directory)
                try await store.pool.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')")
                }
            }
            let error = try #require(throws: StatusStoreError.self) {
                try SQLiteStatusStore(directory: directory)
            }
            #expect(error.description.contains("newer version of Tidings"))
        }
    }

    @Test("concurrent callbacks are committed in fewer transactions than callbacks")
    func groupCommitBatches() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let callbacks = try (0..<200).map { try Fixture.callback(sid: Fixture.sid($0), status: "sent") }

            let results = await store.recordConcurrently(callbacks)

            #expect(results.count == callbacks.count)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            // Every callback is acknowledged only after its commit, so all of them are
            // counted here; with 200 callbacks waiting at once, transactions are shared.
            let transactions = store.committedTransactions
            #expect(transactions >= 1)
            #expect(transactions < callbacks.count)
            for callback in callbacks {
                #expect(try await store.message(sid: callback.messageSid) != nil)
            }
        }
    }

    @Test("availability is checked on a reader")
    func availability() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            try await store.checkAvailability()
            try store.pool.close()
            let error = await #expect(throws: StatusStoreError.self) {
                try await store.checkAvailability()
            }
            #expect(error?.description.contains(store.databaseURL.path(percentEncoded: false)) == true)
        }
    }
}

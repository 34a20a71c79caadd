import Foundation
import GRDB
import Testing
import TidingsTestSupport
import TidingsCore
@testable import TidingsSQLite
import TwilioWebhooks

/// What only the SQLite store promises about its outbox: it survives restarts, it is
/// written in the transaction of its callbacks or not at all, and older databases get it.
extension SQLiteStatusStoreTests {
    /// A `sent` callback, a change, for each message numbered in `numbers`.
    private func sentCallbacks(_ numbers: Range<Int>) throws -> [StatusCallback] {
        try numbers.map { try Fixture.callback(sid: Fixture.sid($0), status: "sent") }
    }

    @Test("a restart keeps the outbox, the cursors and the dead letters")
    func restartKeepsTheOutbox() async throws {
        try await TemporaryDirectory.with { directory in
            let changes: [StatusChange]
            let deadLetters: [DeadLetter]
            do {
                let store = try SQLiteStatusStore(directory: directory)
                try await store.registerSink("archive")
                changes = try await store.recordChanges(try sentCallbacks(0..<6))
                try await store.registerSink("webhook")
                try await store.advanceCursor(of: "archive", to: 4)
                try await store.addDeadLetters(
                    [changes[1], changes[3]], sink: "archive", reason: "disk full", at: Fixture.time(30))
                deadLetters = try await store.deadLetters(of: "archive", limit: 10)
            }

            let reopened = try SQLiteStatusStore(directory: directory)
            #expect(try await reopened.changes(after: 0, limit: 100) == changes)
            #expect(try await reopened.latestSeq() == 6)
            #expect(try await reopened.cursor(of: "archive") == 4)
            #expect(try await reopened.cursor(of: "webhook") == 6)
            #expect(try await reopened.registerSink("webhook") == 6)
            #expect(deadLetters.map(\.change) == [changes[1], changes[3]])
            #expect(try await reopened.deadLetters(of: "archive", limit: 10) == deadLetters)
            #expect(try await reopened.deadLetterCount(of: "archive") == 2)

            let next = try await reopened.record(
                try Fixture.callback(sid: Fixture.sid(0), status: "delivered"), receivedAt: Fixture.time(40))
            #expect(next.change?.seq == 7)
        }
    }

    @Test("a restart keeps the latest seq of an outbox pruned empty")
    func restartKeepsLatestSeqAfterPruning() async throws {
        try await TemporaryDirectory.with { directory in
            do {
                let store = try SQLiteStatusStore(directory: directory)
                _ = try await store.recordChanges(try sentCallbacks(0..<3))
                #expect(try await store.pruneChanges(through: 3) == 3)
            }

            let reopened = try SQLiteStatusStore(directory: directory)
            #expect(try await reopened.changes(after: 0, limit: 100).isEmpty)
            #expect(try await reopened.latestSeq() == 3)
            let outcome = try await reopened.record(
                try Fixture.callback(sid: Fixture.sid(9), status: "sent"), receivedAt: Fixture.time(9))
            #expect(outcome.change?.seq == 4)
        }
    }

    @Test("an outbox numbered by AUTOINCREMENT keeps its rows and its latest seq, and commits stop writing sqlite_sequence")
    func outboxLosesItsSequence() async throws {
        try await TemporaryDirectory.with { directory in
            do {
                // A store of the seventh schema that numbered seven changes and pruned all
                // but the fourth and fifth: only `sqlite_sequence` remembers the seventh.
                let pool = try DatabasePool(path: directory.appending(path: SQLiteStatusStore.fileName).path(percentEncoded: false))
                try SQLiteStatusStore.migrator.migrate(pool, upTo: "v7-partial-indexes")
                try await pool.write { db in
                    for seq in 1...7 {
                        try db.execute(sql: "INSERT INTO outbox (seq, change) VALUES (?, ?)", arguments: [seq, "{\"seq\":\(seq)}"])
                    }
                    try db.execute(sql: "DELETE FROM outbox WHERE seq NOT IN (4, 5)")
                }
                try pool.close()
            }

            let store = try SQLiteStatusStore(directory: directory)
            let kept = try await store.pool.read { db in try Row.fetchAll(db, sql: "SELECT seq, change FROM outbox ORDER BY seq") }
            #expect(kept.map { $0["seq"] as Int64 } == [4, 5])
            #expect(kept.map { $0["change"] as String } == ["{\"seq\":4}", "{\"seq\":5}"])
            #expect(try await store.latestSeq() == 7)
            let outcome = try await store.record(
                try Fixture.callback(sid: Fixture.sid(9), status: "sent"), receivedAt: Fixture.time(9))
            #expect(outcome.change?.seq == 8)
            let sequenceRows = try await store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'outbox'")
            }
            #expect(sequenceRows == 0, "a commit writes no sequence row")
        }
    }

    @Test("each outbox row holds its change as JSON carrying the row's seq")
    func outboxRowsCarryTheirSeq() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let results = await store.recordConcurrently(try sentCallbacks(0..<40))
            let returned = try results.compactMap { try $0.get().change }

            let rows = try await store.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT seq, change FROM outbox ORDER BY seq").map { row in
                    (seq: row["seq"] as Int64, change: row["change"] as String)
                }
            }

            #expect(rows.map(\.seq) == Array(1...40))
            let decoder = JSONCoding.makeDecoder()
            let stored = try rows.map { try decoder.decode(StatusChange.self, from: Data($0.change.utf8)) }
            #expect(stored.map(\.seq) == rows.map { Optional($0.seq) })
            #expect(stored.sorted { $0.id < $1.id } == returned.sorted { $0.id < $1.id })
        }
    }

    @Test("concurrent repeats of one callback add one outbox row")
    func concurrentRepeatsAddOneRow() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let repeated = try Fixture.callback(sid: Fixture.sid(1), status: "sent")
            let callbacks = Array(repeating: repeated, count: 30) + (try sentCallbacks(2..<12))

            let outcomes = try await store.recordConcurrently(callbacks).map { try $0.get() }

            #expect(outcomes.filter { $0.change != nil }.count == 11)
            #expect(outcomes.compactMap { $0.change?.seq }.sorted() == Array(1...11))
            #expect(try await store.changes(after: 0, limit: 100).map(\.seq) == (1...11).map { Optional($0) })
        }
    }

    @Test("a failed transaction writes no outbox row and takes no seq")
    func failedTransactionWritesNoOutboxRow() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let first = try await store.record(
                try Fixture.callback(sid: Fixture.sid(0), status: "sent"), receivedAt: Fixture.time(0))
            try await store.pool.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER refuse_writes BEFORE INSERT ON messages
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """)
            }

            let callbacks = try [Fixture.callback(sid: Fixture.sid(0), status: "delivered")] + sentCallbacks(1..<21)
            let results = await store.recordConcurrently(callbacks)

            #expect(results.allSatisfy { (try? $0.get()) == nil })
            #expect(try await store.latestSeq() == 1)
            #expect(try await store.changes(after: 0, limit: 100) == [try #require(first.change)])

            try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_writes") }
            let retried = try await store.record(callbacks[0], receivedAt: Fixture.time(1))
            #expect(retried.change?.seq == 2)
        }
    }

    @Test("an outbox row that cannot be written stores no message either")
    func failedOutboxWriteStoresNoMessage() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            try await store.pool.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER refuse_changes BEFORE INSERT ON outbox
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """)
            }
            let callback = try Fixture.callback(sid: Fixture.sid(0), status: "sent")

            await #expect(throws: StatusStoreError.self) {
                try await store.record(callback, receivedAt: Fixture.time(0))
            }
            #expect(try await store.message(sid: Fixture.sid(0)) == nil)
            #expect(try await store.latestSeq() == 0)

            try await store.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_changes") }
            let outcome = try await store.record(callback, receivedAt: Fixture.time(1))
            #expect(outcome.change?.seq == 1)
            #expect(try await store.message(sid: Fixture.sid(0))?.status == .sent)
        }
    }

    @Test("a database of the first schema gets the outbox when opened, its messages kept")
    func firstSchemaGetsTheOutbox() async throws {
        try await TemporaryDirectory.with { directory in
            let sid = Fixture.sid(0)
            let earlier = StatusMachine.outcome(
                of: try Fixture.callback(sid: sid, status: "sent"), receivedAt: Fixture.time(0), stored: nil
            ).record
            do {
                let path = directory.appending(path: SQLiteStatusStore.fileName).path(percentEncoded: false)
                let pool = try DatabasePool(path: path)
                try SQLiteStatusStore.migrator.migrate(pool, upTo: "v1-messages")
                try await pool.write { db in try Self.insertFirstSchemaRow(earlier, in: db) }
            }

            let store = try SQLiteStatusStore(directory: directory)
            #expect(try await store.latestSeq() == 0)
            #expect(try await store.message(sid: sid) == earlier)
            let outcome = try await store.record(
                try Fixture.callback(sid: sid, status: "delivered"), receivedAt: Fixture.time(1))
            #expect(outcome.change?.previousStatus == .sent)
            #expect(outcome.change?.seq == 1)
            #expect(try await store.changes(after: 0, limit: 10) == [try #require(outcome.change)])
        }
    }
}

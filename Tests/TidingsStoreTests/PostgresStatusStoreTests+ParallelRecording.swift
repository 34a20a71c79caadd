import Foundation
import Logging
import PostgresNIO
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport
import TwilioWebhooks

/// Instances record in parallel: a group commit first without locks (`OptimisticCommit`),
/// then, when a message changed meanwhile, in a transaction locking only its own messages'
/// rows (`CallbackBatch`); both queue only to number their changes at the end. These tests
/// hold a recording transaction open halfway — its message written, its changes not yet
/// numbered, as a slow instance would — and check what the others and the sinks' reader
/// see; the others' commits meet the held row and go through the transaction with locks.
extension PostgresStatusStoreTests {
    @Test("while one instance's transaction is open, others commit; the late change is read after theirs, never skipped")
    func aLateCommitIsNeverSkipped() async throws {
        try await withInstances(2) { instances in
            let (slow, other) = (instances[0], instances[1])
            let (x, y, z) = (CallbackFixtures.sid(0xA001), CallbackFixtures.sid(0xA002), CallbackFixtures.sid(0xA003))
            _ = try await other.record(try CallbackFixtures.callback(sid: y, status: "queued"), receivedAt: Date())
            _ = try await slow.record(try CallbackFixtures.callback(sid: x, status: "queued"), receivedAt: Date())
            var cursor = try await readAll(after: 0, from: other, expecting: 2)

            let open = OpenRecording()
            let sent = try CallbackFixtures.callback(sid: x, status: "sent")
            async let late = open.run(sent, on: slow)
            await open.waitUntilWritten()

            // Other messages commit while the slow transaction holds x: recording is parallel.
            _ = try await other.record(try CallbackFixtures.callback(sid: y, status: "sent"), receivedAt: Date())
            _ = try await other.record(try CallbackFixtures.callback(sid: z, status: "queued"), receivedAt: Date())
            let meanwhile = try await other.changes(after: cursor, limit: 100)
            #expect(meanwhile.map(\.sid) == [y, z])
            cursor = try #require(meanwhile.last?.seq)

            // A callback for x waits for the slow transaction's lock on x's row.
            let delivered = try CallbackFixtures.callback(sid: x, status: "delivered")
            async let after = other.record(delivered, receivedAt: Date())
            #expect(try await eventually { try await lockWaits(on: slow) >= 1 }, "the second callback for x waits")
            open.finish()
            let lateBatch = try await late
            let afterOutcome = try await after

            // The late commit took the next seq after what the reader had read, then x's next callback.
            let rest = try await other.changes(after: cursor, limit: 100)
            #expect(rest.map(\.sid) == [x, x])
            #expect(rest.map(\.seq) == [cursor + 1, cursor + 2])
            #expect(rest.map(\.id) == [lateBatch.changes.first?.id, afterOutcome.change?.id])
            #expect(rest.map(\.previousStatus) == [.queued, .sent], "x's changes chain in seq order")
            #expect(try await other.changes(after: 0, limit: 100).compactMap(\.seq) == Array(1...6), "one gapless run")
            let stored = try #require(try await other.message(sid: x))
            #expect(stored.status == .delivered && stored.history.count == 3)
        }
    }

    @Test("a message's first callbacks, reaching two instances at once, are both kept")
    func simultaneousFirstCallbacksAreBothKept() async throws {
        try await withInstances(2) { instances in
            let x = CallbackFixtures.sid(0xA010)
            let open = OpenRecording()
            let queued = try CallbackFixtures.callback(sid: x, status: "queued")
            async let first = open.run(queued, on: instances[0])
            await open.waitUntilWritten()

            // The other instance finds no row for x either; its insert waits for the open one.
            let sent = try CallbackFixtures.callback(sid: x, status: "sent")
            async let second = instances[1].record(sent, receivedAt: Date())
            #expect(try await eventually { try await lockWaits(on: instances[0]) >= 1 }, "the second insert waits")
            open.finish()
            _ = try await first
            let outcome = try await second

            // Its batch ran again and read the first callback's row instead of overwriting it.
            #expect(outcome.change?.previousStatus == .queued)
            #expect(outcome.record.history.count == 2)
            let stored = try #require(try await instances[0].message(sid: x))
            #expect(stored.status == .sent && stored.history.map(\.status) == [.queued, .sent])
            let outbox = try await instances[0].changes(after: 0, limit: 10)
            #expect(outbox.map(\.id) == ["\(x)-1", "\(x)-2"])
            #expect(outbox.map(\.seq) == [1, 2])
        }
    }

    @Test("a batch that PostgreSQL picks to break a deadlock runs again and stores its callbacks")
    func aDeadlockedBatchRunsAgain() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            // PostgreSQL checks a waiting transaction for a deadlock once, deadlock_timeout
            // after it began to wait, and fails the one whose check finds the cycle. The
            // batch waits first; its sessions get 5 s, so that the cycle is complete when it
            // checks even on a busy machine, and the test's transaction 60 s (below), so
            // that it never checks first.
            try await PostgresStatusStore.withTestStore(url: url) { setup in
                try await setup.client.query(
                    "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET deadlock_timeout = %L', current_database(), '5s'); END$$")
            }
            try await PostgresStatusStore.withTestStore(url: url) { store in try await runDeadlockedBatch(on: store) }
        }
    }

    private func runDeadlockedBatch(on store: PostgresStatusStore) async throws {
        let (a, b) = (CallbackFixtures.sid(0xA020), CallbackFixtures.sid(0xA021))
        for sid in [a, b] { _ = try await store.record(try CallbackFixtures.callback(sid: sid, status: "queued"), receivedAt: Date()) }
        let logger = Logger(label: "tidings-tests")
        let commit = CallbackBatch.commit(
            to: store.client, configuration: store.configuration, clock: store.clock, announcements: store.announcements,
            logger: logger)
        let entries = try [a, b].map {
            GroupCommitQueue.Entry(callback: try CallbackFixtures.callback(sid: $0, status: "sent"), receivedAt: Date())
        }

        // Another transaction holds b; the batch locks a, then waits for b; the other
        // transaction then asks for a. The batch's deadlock check finds the cycle and
        // PostgreSQL fails the batch's transaction.
        let (otherTransactionGotA, batch) = try await store.client.withTransaction(logger: logger) { connection in
            try await connection.query("SET LOCAL deadlock_timeout = '60s'", logger: logger)
            let decoder = JSONCoding.makeDecoder()
            _ = try await MessagesTable.records(sids: [b], on: connection, decoder: decoder, logger: logger)
            let batch = Task { try await commit(entries) }
            #expect(try await eventually { try await lockWaits(on: store) >= 1 }, "the batch waits for b")
            let locked = try await MessagesTable.records(sids: [a], on: connection, decoder: decoder, logger: logger)
            return (locked[a] != nil, batch)
        }
        let outcomes = try await batch.value
        #expect(outcomes.compactMap(\.change?.previousStatus) == [.queued, .queued])
        #expect(otherTransactionGotA, "the batch, not the other transaction, was the one failed")
        #expect(try await store.message(sid: a)?.status == .sent, "the batch ran again")
        #expect(try await store.message(sid: b)?.status == .sent)
        #expect(try await store.changes(after: 0, limit: 10).map(\.sid) == [a, b, a, b])
    }

    @Test("a group commit without locks stores nothing when a message changed since it read it")
    func aChangedMessageUndoesTheUnlockedCommit() async throws {
        try await withInstances(1) { instances in
            let store = instances[0]
            let logger = Logger(label: "tidings-tests")
            let x = CallbackFixtures.sid(0xA020)
            _ = try await store.record(try CallbackFixtures.callback(sid: x, status: "queued"), receivedAt: Date())
            let read = try await store.client.withConnection { connection in
                try await MessagesTable.versionedRecords(
                    sids: [x], on: connection, decoder: JSONCoding.makeDecoder(), logger: logger)
            }
            // Another commit changes x after the read.
            _ = try await store.record(try CallbackFixtures.callback(sid: x, status: "sent"), receivedAt: Date())

            let delivered = try CallbackFixtures.callback(sid: x, status: "delivered")
            let entries = [GroupCommitQueue.Entry(callback: delivered, receivedAt: JSONCoding.wholeMilliseconds(Date()))]
            let batch = StatusMachine.record(entries, numberingAfter: 0) { read[$0]?.record }
            let statement = OptimisticCommit.Statement(
                replacing: Array(batch.records.values), adding: [], versions: read.mapValues(\.version),
                changes: batch.changes, announcements: store.announcements)
            let error = await #expect(throws: PSQLError.self) {
                for try await _ in try await store.client.execute(statement, logger: logger) {}
            }
            #expect(error?.serverInfo?[.sqlState] == OptimisticCommit.changedMeanwhileState)
            #expect(try await store.changes(after: 0, limit: 10).map(\.status) == [.queued, .sent], "nothing numbered")
            let stored = try #require(try await store.message(sid: x))
            #expect(stored.status == .sent && stored.history.count == 2, "x is as the other commit left it")

            // Recorded as the group commit records it, from a fresh read: the change follows the other's.
            let outcome = try await store.record(delivered, receivedAt: Date())
            #expect(outcome.change?.previousStatus == .sent && outcome.change?.seq == 3)
            #expect(try await store.message(sid: x)?.history.count == 3)
        }
    }

    /// How many of the connections to `store`'s database wait for a lock.
    /// How many connections to the store's database wait for a lock now.
    func lockWaits(on store: PostgresStatusStore) async throws -> Int64 {
        let rows = try await store.client.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    /// Reads the outbox after `seq` and checks that it holds `count` changes; returns the last `seq`.
    private func readAll(after seq: Int64, from store: PostgresStatusStore, expecting count: Int) async throws -> Int64 {
        let changes = try await store.changes(after: seq, limit: 100)
        #expect(changes.count == count)
        return try #require(changes.last?.seq)
    }
}

/// One callback recorded as a group commit records it (`CallbackBatch`), in a transaction
/// the test holds open between writing the message (steps 1–3) and numbering its change
/// (step 4) until ``finish()``.
private final class OpenRecording: Sendable {
    private let written: AsyncStream<Void>
    private let writtenContinuation: AsyncStream<Void>.Continuation
    private let finished: AsyncStream<Void>
    private let finishedContinuation: AsyncStream<Void>.Continuation

    init() {
        (written, writtenContinuation) = AsyncStream.makeStream()
        (finished, finishedContinuation) = AsyncStream.makeStream()
    }

    /// Records `callback` on `store`'s database and returns the committed batch.
    func run(_ callback: StatusCallback, on store: PostgresStatusStore) async throws -> RecordedBatch {
        let logger = Logger(label: "tidings-tests")
        return try await store.client.withTransaction(logger: logger) { connection in
            let entries = [GroupCommitQueue.Entry(callback: callback, receivedAt: JSONCoding.wholeMilliseconds(Date()))]
            var batch = try await CallbackBatch.recordMessages(entries, on: connection, logger: logger)
            writtenContinuation.yield()
            for await _ in finished { break }
            try await CallbackBatch.appendChanges(
                of: &batch, on: connection, announcements: store.announcements, logger: logger)
            return batch
        }
    }

    /// Returns once ``run(_:on:)`` has written its message and holds its row.
    func waitUntilWritten() async {
        for await _ in written { return }
    }

    /// Lets ``run(_:on:)`` number its change and commit.
    func finish() {
        finishedContinuation.yield()
    }
}

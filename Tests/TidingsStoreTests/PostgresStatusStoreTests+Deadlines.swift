import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// A database that stops answering — a lock held, a server hung, a connection black-holed
/// by a failover — answers a callback's commit with an error at the deadline
/// (`connect_timeout`), so Twilio gets a `503` in time and retries, instead of waiting for
/// the database to come back.
extension PostgresStatusStoreTests {
    @Test("a commit the database holds back fails at the deadline, while the database still holds it")
    func aCommitHeldBackFailsAtTheDeadline() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            // Migrated by a store with the usual deadline: on a loaded machine migrating may
            // take longer than the second store's.
            try await PostgresStatusStore.withTestStore(url: url) { store in
                let logger = Logger(label: "tidings-tests")
                let sid = CallbackFixtures.sid(0xA300)
                // Deadlines of 1 s on a manual clock, so that a loaded machine's late tasks do
                // not spend them.
                let manual = ManualClock()
                try await PostgresStatusStore.withImpatientStore(url: url, clock: ServiceClock(manual)) { impatient in
                    try await holdingTheOutboxCounter(of: url) { holder in
                        // PostgreSQL ends this transaction by itself after 20 s, so that a
                        // store that waited for it would fail the test rather than keep it
                        // waiting.
                        try await holder.query("SET LOCAL idle_in_transaction_session_timeout = '20s'", logger: logger)

                        let recording = Task {
                            try await impatient.record(try CallbackFixtures.callback(sid: sid, status: "queued"), receivedAt: Date())
                        }
                        #expect(try await eventually { try await lockWaits(on: store) == 1 }, "the commit waits")
                        manual.advance(by: .seconds(1))
                        let refusal = await #expect(throws: StatusStoreError.self) { _ = try await recording.value }
                        #expect(
                            refusal?.description.contains("did not answer within 1.0 seconds") == true,
                            "\(String(describing: refusal))")
                        // The holder's transaction is alive, so the counter was still held
                        // when the commit failed.
                        try await holder.query("COMMIT", logger: logger)
                    }
                }

                // Once the counter is free, callbacks are recorded again. (The refused commit
                // may have gone through meanwhile: Twilio's retry is then a repeat, stored once.)
                let outcome = try await store.record(try CallbackFixtures.callback(sid: sid, status: "queued"), receivedAt: Date())
                #expect(outcome.record.status == .queued)
                #expect(try await store.message(sid: sid)?.history.count == 1)
            }
        }
    }

    @Test("a callback queued behind a commit the database holds back is answered by its own deadline, not one more")
    func aCallbackQueuedBehindAHeldCommitKeepsItsDeadline() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            try await PostgresStatusStore.withTestStore(url: url) { store in
                let logger = Logger(label: "tidings-tests")
                let (first, second) = (CallbackFixtures.sid(0xA310), CallbackFixtures.sid(0xA311))
                let manual = ManualClock()
                // Deadlines of 1 s on the manual clock.
                try await PostgresStatusStore.withImpatientStore(url: url, clock: ServiceClock(manual)) { impatient in
                    try await holdingTheOutboxCounter(of: url) { holder in

                        // At 0 s the first callback's batch starts, and waits for the counter.
                        let firstRecording = Task {
                            try await impatient.record(try CallbackFixtures.callback(sid: first, status: "queued"), receivedAt: Date())
                        }
                        #expect(try await eventually { try await lockWaits(on: store) == 1 }, "the first batch waits")
                        // At 0.5 s the second callback queues behind it: owed an answer at 1.5 s.
                        manual.advance(by: .milliseconds(500))
                        let secondAnswered = Atomic(false)
                        let secondRecording = Task {
                            defer { secondAnswered.store(true, ordering: .relaxed) }
                            return try await impatient.record(
                                try CallbackFixtures.callback(sid: second, status: "queued"), receivedAt: Date())
                        }
                        #expect(try await eventually { impatient.waitingCallbacks == 1 }, "the second callback waits")

                        // At 1 s the first batch fails, and the second one starts.
                        manual.advance(by: .milliseconds(500))
                        await #expect(throws: StatusStoreError.self) { _ = try await firstRecording.value }
                        #expect(try await eventually { impatient.waitingCallbacks == 0 }, "the second batch started")

                        // At 1.5 s the second one fails too: it had waited its whole deadline.
                        // (Given a whole deadline again from 1 s, it would go on waiting.)
                        manual.advance(by: .milliseconds(500))
                        #expect(try await eventually { secondAnswered.load(ordering: .relaxed) }, "answered at 1.5 s")
                        try await holder.query("COMMIT", logger: logger)
                        let refusal = await #expect(throws: StatusStoreError.self) { _ = try await secondRecording.value }
                        #expect(
                            refusal?.description.contains("did not answer within 1.0 seconds") == true,
                            "\(String(describing: refusal))")
                    }
                }
                let outcome = try await store.record(try CallbackFixtures.callback(sid: second, status: "queued"), receivedAt: Date())
                #expect(outcome.record.status == .queued)
            }
        }
    }

    /// Runs `body` with a connection outside the stores' pools that holds the outbox counter
    /// of the database `url` names — which every commit with changes raises — in a
    /// transaction that `body` ends.
    private func holdingTheOutboxCounter(
        of url: String, _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let logger = Logger(label: "tidings-tests")
        try await PostgresTestDatabase.withConnection(to: URLComponents(string: url)!) { holder in
            try await holder.query("BEGIN", logger: logger)
            try await holder.query("SELECT seq FROM outbox_latest FOR UPDATE", logger: logger)
            try await body(holder)
        }
    }
}

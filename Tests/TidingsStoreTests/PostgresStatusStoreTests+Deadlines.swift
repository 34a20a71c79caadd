import Foundation
import Logging
import PostgresNIO
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
                try await PostgresStatusStore.withImpatientStore(url: url) { impatient in
                    // A connection outside the stores' pools holds the outbox counter, which
                    // every commit with changes raises.
                    try await PostgresTestDatabase.withConnection(to: URLComponents(string: url)!) { holder in
                        try await holder.query("BEGIN", logger: logger)
                        // PostgreSQL ends this transaction by itself after 20 s, so that a
                        // store that waited for it would fail the test rather than keep it
                        // waiting.
                        try await holder.query("SET LOCAL idle_in_transaction_session_timeout = '20s'", logger: logger)
                        try await holder.query("SELECT seq FROM outbox_latest FOR UPDATE", logger: logger)

                        let refusal = await #expect(throws: StatusStoreError.self) {
                            _ = try await impatient.record(
                                try CallbackFixtures.callback(sid: sid, status: "queued"), receivedAt: Date())
                        }
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
}

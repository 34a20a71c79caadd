import Foundation
import Synchronization
import Testing
import TidingsCore
import TidingsTestSupport

/// PostgreSQL restarted, or failed over: every connection of every instance is cut at once.
/// Each instance records again on new connections (preparing its statements again there),
/// and its listener reconnects, so the instances hear each other's changes again.
extension PostgresStatusStoreTests {
    @Test("after the database cut every connection, instances record and hear each other again")
    func instancesComeBackAfterEveryConnectionIsCut() async throws {
        try await withInstances(2) { instances in
            let (writer, listener) = (instances[0], instances[1])
            let heard = Atomic<Int>(0)
            listener.observeChanges { changes in if changes.isEmpty { heard.add(1, ordering: .relaxed) } }
            let sids = Atomic<Int>(0xA100)
            /// Records a first callback of a new message on the writer.
            @Sendable func recordNewMessage() async throws {
                let sid = CallbackFixtures.sid(sids.add(1, ordering: .relaxed).newValue)
                _ = try await writer.record(try CallbackFixtures.callback(sid: sid, status: "queued"), receivedAt: Date())
            }
            // The listener listens: it has heard the writer (its start-up call is one more).
            let listening = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                try await recordNewMessage()
                return heard.load(ordering: .relaxed) >= 2
            }
            try #require(listening, "the listener heard the writer before the cut")

            let database = URLComponents(string: Self.url(of: writer))!
            try await PostgresTestDatabase.execute(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = '\(database.path.dropFirst())' AND pid <> pg_backend_pid()
                """,
                on: database)

            // A batch sent on a connection whose end the pool has not seen yet fails (503,
            // and Twilio retries); the next ones go over new connections.
            var failures = 0
            let recording = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                do {
                    try await recordNewMessage()
                    return true
                } catch {
                    failures += 1
                    return false
                }
            }
            try #require(recording, "the writer records again")
            #expect(failures <= 2, "\(failures) batches failed after the connections were cut")

            // The cut took the listener's connection and whatever it had not read: only a
            // listener that reconnected hears anything now.
            let afterCut = heard.load(ordering: .relaxed)
            let hearing = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await recordNewMessage()
                return heard.load(ordering: .relaxed) > afterCut
            }
            #expect(hearing, "the listener reconnected and hears the writer again")
        }
    }
}

import Foundation
import Logging
import PostgresNIO
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// A group commit's two statements are prepared once on each connection: PostgreSQL parses
/// and plans them once, not for every batch (which cost more of its time than running them).
extension PostgresStatusStoreTests {
    @Test("a group commit's two statements are prepared once on a connection and run from there")
    func groupCommitsRunPreparedStatements() async throws {
        try await PostgresTestDatabase.withFreshDatabase { url in
            // One connection for the listener, one for everything else: the one asked below.
            try await PostgresStatusStore.withTestStore(url: url, configure: { configuration, _ in
                configuration.maximumConnections = 2
            }) { store in
                let batches = 8
                for index in 0..<batches {
                    let status = index < batches / 2 ? "queued" : "sent"
                    let callback = try CallbackFixtures.callback(sid: CallbackFixtures.sid(0xB000 + index % 4), status: status)
                    _ = try await store.record(callback, receivedAt: Date())
                }
                let rows = try await store.client.query(
                    "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements ORDER BY name")
                var executions: [String: Int64] = [:]
                for try await (name, count) in rows.decode((String, Int64).self) { executions[name] = count }
                #expect(executions == [
                    OptimisticCommit.Statement.name: Int64(batches),
                    MessagesTable.VersionedReading.name: Int64(batches),
                ])
            }
        }
    }
}

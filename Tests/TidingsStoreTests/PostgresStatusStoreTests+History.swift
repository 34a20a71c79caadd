import Foundation
import Logging
import PostgresNIO
import Testing
import TidingsCore
@testable import TidingsPostgres
import TidingsTestSupport

/// A message's history is rows of its own, written by appending; a database of schema
/// version 1, whose documents hold their histories, keeps every record byte for byte.
extension PostgresStatusStoreTests {
    @Test("a database whose records hold their history (schema version 1) keeps every record, byte for byte")
    func historiesMoveOutOfDocuments() async throws {
        var records: [MessageRecord] = []
        for number in 0..<7 {
            var record: MessageRecord?
            for (step, status) in ["queued", "sent", "delivered", "read"].prefix(1 + number % 4).enumerated() {
                record = StatusMachine.outcome(
                    of: try CallbackFixtures.callback(sid: CallbackFixtures.sid(0x9a00 + number), status: status),
                    receivedAt: CallbackFixtures.time(step), stored: record
                ).record
            }
            records.append(try #require(record))
        }
        try await PostgresTestDatabase.withFreshDatabase { url in
            // Schema version 1, each record's whole document in `record`.
            let database = try #require(URLComponents(string: url))
            for statement in PostgresSchema.migrations[0].sql {
                try await PostgresTestDatabase.execute(statement, on: database)
            }
            try await PostgresTestDatabase.execute(
                """
                CREATE TABLE tidings_schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, on: database)
            try await PostgresTestDatabase.execute(
                "INSERT INTO tidings_schema_migrations (version, name) VALUES (1, 'messages, outbox, sinks')", on: database)
            for record in records {
                let columns = MessageColumns(record)
                let values: [String] = [
                    literal(columns.sid), literal(columns.status), columns.rank.map(String.init) ?? "NULL",
                    "\(columns.isFinal)", columns.errorCode.map(String.init) ?? "NULL", literal(columns.channel),
                    "\(columns.conflict)", "\(TimeColumn.value(columns.firstSeenAt))", "\(TimeColumn.value(columns.updatedAt))",
                    literal(columns.document), columns.to.map(literal) ?? "NULL", "\(columns.stale)",
                    columns.latencies.queuedToSent.map { "\($0)" } ?? "NULL",
                    columns.latencies.sentToDelivered.map { "\($0)" } ?? "NULL",
                    columns.latencies.carrierToCallback.map { "\($0)" } ?? "NULL",
                ]
                try await PostgresTestDatabase.execute(
                    "INSERT INTO messages (\(MessageColumns.names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))",
                    on: database)
            }

            try await PostgresStatusStore.withTestStore(url: url) { store in
                for record in records {
                    #expect(try await store.messageDocument(sid: record.sid) == Array(JSONCoding.encodedText(record).utf8))
                    #expect(try await store.message(sid: record.sid) == record)
                }
                var rows = 0
                for try await count in try await store.client.query("SELECT COUNT(*) FROM history").decode(Int64.self) {
                    rows = Int(count)
                }
                #expect(rows == records.map(\.history.count).reduce(0, +))
                // A later callback appends its entry, and the whole record reads back as the machine made it.
                let sid = records[0].sid
                let outcome = try await store.record(
                    try CallbackFixtures.callback(sid: sid, status: "delivered"), receivedAt: CallbackFixtures.time(9))
                #expect(try await store.messageDocument(sid: sid) == Array(JSONCoding.encodedText(outcome.record).utf8))
            }
        }
    }

    /// `text` as a SQL string literal.
    private func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

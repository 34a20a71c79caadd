import Foundation
import GRDB
import Testing
import TidingsTestSupport
import TidingsCore
@testable import TidingsSQLite
import TwilioWebhooks

/// What only the SQLite store promises about its queries: the columns beside each record,
/// their indexes, databases of the earlier schemas brought forward, and answers equal to
/// the memory store's.
extension SQLiteStatusStoreTests {
    /// The columns `v3-queries` added to a row of the `messages` table, as stored.
    private struct QueryColumns: Decodable, FetchableRecord, Sendable, Equatable {
        static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

        let toAddress: String?
        let stale: Bool
        let queuedToSent: Double?
        let sentToDelivered: Double?
        let carrierToCallback: Double?
        let firstSeenAt: Double
        let updatedAt: Double

        /// The columns as they should be for `record`.
        init(_ record: MessageRecord) {
            let latencies = MessageLatencies(record)
            toAddress = record.to
            stale = record.stale
            queuedToSent = latencies.queuedToSent
            sentToDelivered = latencies.sentToDelivered
            carrierToCallback = latencies.carrierToCallback
            firstSeenAt = TimeColumn.value(record.firstSeenAt)
            updatedAt = TimeColumn.value(record.updatedAt)
        }
    }

    /// The query columns of the row of `sid`.
    private func queryColumns(of sid: String, in store: SQLiteStatusStore) async throws -> QueryColumns? {
        try await store.pool.read { db in
            try QueryColumns.fetchOne(db, sql: "SELECT * FROM messages WHERE sid = ?", arguments: [sid])
        }
    }

    /// The query columns of every message mirror its record.
    private func expectColumnsMirrorRecords(
        in store: SQLiteStatusStore, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var all = MessageQuery()
        all.limit = 1000
        for record in try await store.messages(matching: all).messages {
            let columns = try await queryColumns(of: record.sid, in: store)
            #expect(columns == QueryColumns(record), "\(record.sid)", sourceLocation: sourceLocation)
        }
    }

    /// `time(0)` plus `seconds`, to the microsecond: a time between milliseconds.
    private func time(_ seconds: TimeInterval) -> Date {
        Fixture.time(0).addingTimeInterval(seconds)
    }

    @Test("the query columns mirror the record through callbacks and stale marking")
    func queryColumnsMirrorTheRecord() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let whatsApp = "whatsapp:+15558675310"
            let delivered = Fixture.sid(1)
            let quiet = Fixture.sid(2)
            _ = try await store.record(
                try Fixture.callback(sid: delivered, status: "queued", to: whatsApp), receivedAt: time(0.1234))
            _ = try await store.record(
                try Fixture.callback(sid: delivered, status: "sent", to: whatsApp), receivedAt: time(2.5006))
            _ = try await store.record(
                try Fixture.callback(sid: delivered, status: "delivered", rawDlrDoneDate: "2611181107", to: whatsApp),
                receivedAt: time(50.25))
            _ = try await store.record(try Fixture.callback(sid: quiet, status: "sent"), receivedAt: time(1))
            _ = try await store.markStale(lastChangeBefore: time(10), at: time(60))

            let deliveredColumns = try #require(try await queryColumns(of: delivered, in: store))
            #expect(deliveredColumns.toAddress == whatsApp)
            #expect(!deliveredColumns.stale)
            #expect(abs(try #require(deliveredColumns.queuedToSent) - 2.378) < 1e-6)
            #expect(deliveredColumns.sentToDelivered != nil)
            #expect(deliveredColumns.carrierToCallback == 30.25)
            #expect(deliveredColumns.updatedAt == 1_795_000_050.25)
            #expect(deliveredColumns.firstSeenAt == 1_795_000_000.123)
            #expect(try await queryColumns(of: quiet, in: store)?.stale == true)
            try await expectColumnsMirrorRecords(in: store)

            _ = try await store.record(try Fixture.callback(sid: quiet, status: "delivered"), receivedAt: time(70))
            #expect(try await queryColumns(of: quiet, in: store)?.stale == false)
            try await expectColumnsMirrorRecords(in: store)
        }
    }

    @Test("callbacks received between milliseconds page by the times their records show")
    func receiptTimesBetweenMilliseconds() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            // 0.4 ms apart: two or three messages round to each millisecond.
            let sids = (0..<12).map { Fixture.sid(($0 * 5) % 12) }
            for (index, sid) in sids.enumerated() {
                _ = try await store.record(
                    try Fixture.callback(sid: sid, status: "sent"), receivedAt: time(Double(index) * 0.0004))
            }
            var shown: [MessageRecord] = []
            for sid in sids {
                shown.append(try #require(try await store.message(sid: sid)))
            }
            shown.sort { ($0.updatedAt, $0.sid) > ($1.updatedAt, $1.sid) }

            var pairs = MessageQuery()
            pairs.limit = 2
            #expect(try await store.allPages(of: pairs).flatMap(\.messages) == shown)
            try await expectColumnsMirrorRecords(in: store)
        }
    }

    @Test("a database of the second schema gets the query columns, filled in from its records")
    func secondSchemaIsMigrated() async throws {
        try await TemporaryDirectory.with { directory in
            let whatsApp = "whatsapp:+15558675310"
            let delivered = Fixture.sid(1)
            let quiet = Fixture.sid(2)
            let undelivered = Fixture.sid(3)
            let lives: [(String, [(StatusCallback, Date)])] = [
                (delivered, [
                    (try Fixture.callback(sid: delivered, status: "queued", to: whatsApp), time(0.1234)),
                    (try Fixture.callback(sid: delivered, status: "sent", to: whatsApp), time(2.5006)),
                    (try Fixture.callback(
                        sid: delivered, status: "delivered", rawDlrDoneDate: "2611181107", to: whatsApp), time(50.25)),
                ]),
                (quiet, [(try Fixture.callback(sid: quiet, status: "queued"), time(1.0006))]),
                (undelivered, [
                    (try Fixture.callback(sid: undelivered, status: "undelivered", errorCode: 30003), time(1.0006)),
                ]),
            ]
            // What a store of the second schema wrote: records and changes without `stale`,
            // times as plain Unix seconds, and the indexes of the first schema.
            var changes: [StatusChange] = []
            do {
                let path = directory.appending(path: SQLiteStatusStore.fileName).path(percentEncoded: false)
                let pool = try DatabasePool(path: path)
                try SQLiteStatusStore.migrator.migrate(pool, upTo: "v2-outbox")
                var records: [MessageRecord] = []
                for (_, callbacks) in lives {
                    var record: MessageRecord?
                    for (callback, receivedAt) in callbacks {
                        let outcome = StatusMachine.outcome(of: callback, receivedAt: receivedAt, stored: record)
                        record = outcome.record
                        var change = try #require(outcome.change)
                        change.seq = Int64(changes.count + 1)
                        changes.append(change)
                    }
                    records.append(try #require(record))
                }
                try await pool.write { [records, changes] db in
                    for record in records {
                        try Self.insertFirstSchemaRow(record, in: db)
                    }
                    for change in changes {
                        try Self.insertSecondSchemaChange(change, in: db)
                    }
                    try Self.insertSecondSchemaDeadLetter(changes[0], sink: "webhook", in: db)
                }
            }

            let store = try SQLiteStatusStore(directory: directory)

            let decoder = JSONCoding.makeDecoder()
            let encoder = JSONCoding.makeEncoder()
            let readBack = try changes.map { try decoder.decode(StatusChange.self, from: encoder.encode($0)) }
            #expect(try await store.changes(after: 0, limit: 10) == readBack)
            #expect(try await store.deadLetters(of: "webhook", limit: 10).map(\.change) == [readBack[0]])
            try await expectColumnsMirrorRecords(in: store)
            // From the times the JSON documents hold, to the millisecond.
            let queuedToSent = try #require(try await queryColumns(of: delivered, in: store)?.queuedToSent)
            #expect(abs(queuedToSent - 2.378) < 1e-6)

            var stored: [MessageRecord] = []
            for (sid, _) in lives {
                let record = try #require(try await store.message(sid: sid))
                #expect(!record.stale)
                stored.append(record)
            }
            var byRecipient = MessageQuery()
            byRecipient.to = whatsApp
            #expect(try await store.messages(matching: byRecipient).messages.map(\.sid) == [delivered])
            var onePerPage = MessageQuery()
            onePerPage.limit = 1
            let paged = try await store.allPages(of: onePerPage).flatMap(\.messages).map(\.sid)
            #expect(paged == [delivered, undelivered, quiet])
            var builder = MessageStatsBuilder()
            stored.forEach { builder.add($0) }
            #expect(try await store.stats(StatsQuery()) == builder.build())

            let stale = try await store.markStale(lastChangeBefore: time(10), at: time(60))
            #expect(stale.map(\.sid) == [quiet])
            #expect(stale.map(\.seq) == [Int64(changes.count + 1)])

            let indexes = try await store.pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL")
            }
            #expect(Set(indexes) == [
                "messages_by_change", "messages_by_status", "messages_by_error_code", "messages_by_channel",
                "messages_by_recipient", "messages_in_flight", "messages_by_conversation_message",
            ])
        }
    }

    @Test("every page is read from an index in the listing's order, without sorting")
    func listingUsesIndexes() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let cursor = MessageCursor(updatedAt: Fixture.time(5), sid: Fixture.sid(5))
            // Each query, and the index it must be read from when only one will do: the
            // partial ones are used only when the query's conditions imply theirs.
            var queries: [(MessageQuery, index: String)] = []
            func add(_ index: String = "messages_by_", _ configure: (inout MessageQuery) -> Void) {
                for paged in [false, true] {
                    var query = MessageQuery()
                    configure(&query)
                    query.cursor = paged ? cursor : nil
                    queries.append((query, index))
                }
            }
            add { _ in }
            add { $0.statuses = ["sent"] }
            add("messages_by_error_code") { $0.errorCode = 30003 }
            add { $0.channel = "whatsapp" }
            add { $0.to = Fixture.to }
            add("messages_in_flight") { $0.isFinal = false }
            add { $0.isFinal = true }
            add { $0.since = Fixture.time(1); $0.until = Fixture.time(9) }
            add { $0.conflict = true; $0.stale = false }
            add { $0.channel = "sms"; $0.isFinal = true; $0.since = Fixture.time(1) }

            for (query, index) in queries {
                let plan = try await store.pool.read { db in
                    let statement = try MessagesTable.listing(matching: query).makePreparedRequest(db).statement
                    return try Self.queryPlan(of: statement.sql, arguments: statement.arguments, in: db)
                }
                #expect(plan.contains("USING INDEX \(index)"), "\(query): \(plan)")
                #expect(!plan.contains("TEMP B-TREE"), "\(query): \(plan)")
            }
            // Stale marking reads the messages in flight, oldest change first.
            let stalePlan = try await store.pool.read { db in
                try Self.queryPlan(
                    of: MessagesTable.inFlightSelection, arguments: [TimeColumn.lowerBound(Fixture.time(5))], in: db)
            }
            #expect(stalePlan.contains("USING INDEX messages_in_flight"), "\(stalePlan)")
            #expect(!stalePlan.contains("TEMP B-TREE"), "\(stalePlan)")
        }
    }

    /// SQLite's plan for `sql`, its steps joined by `; `.
    private static func queryPlan(of sql: String, arguments: StatementArguments, in db: Database) throws -> String {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
            .map { $0["detail"] as String }.joined(separator: "; ")
    }

    /// (That every store answers as the memory store over this corpus is
    /// `MemoryEquivalenceConformance`; here, what only SQLite shows: its columns.)
    @Test("the query columns mirror the records of a mixed corpus, stale marking included")
    func columnsMirrorAMixedCorpus() async throws {
        try await TemporaryDirectory.with { directory in
            let sqlite = try SQLiteStatusStore(directory: directory)
            let corpus = try MixedCorpus(messages: 150)
            for (callback, receivedAt) in corpus.callbacks {
                _ = try await sqlite.record(callback, receivedAt: receivedAt)
            }
            let marked = try await sqlite.markStale(
                lastChangeBefore: corpus.instant(fraction: 0.4), at: corpus.instant(fraction: 2))
            #expect(!marked.isEmpty)
            try await expectColumnsMirrorRecords(in: sqlite)
        }
    }

    @Test("retention deletes in batches until every old message is gone")
    func deletionInBatches() async throws {
        try await TemporaryDirectory.with { directory in
            let store = try SQLiteStatusStore(directory: directory)
            let old = BatchedDeletion.batchSize * 2 + 345
            var records: [MessageRecord] = []
            for index in 0..<(old + 10) {
                let received = Fixture.time(index < old ? index % 100 : 1000 + index)
                let callback = try Fixture.callback(sid: Fixture.sid(index), status: "sent")
                records.append(StatusMachine.outcome(of: callback, receivedAt: received, stored: nil).record)
            }
            try await store.pool.write { [records] db in
                for record in records {
                    try MessagesTable.save(record, in: db)
                }
            }

            #expect(try await store.deleteMessages(lastChangeBefore: Fixture.time(1000)) == old)
            #expect(try await store.stats(StatsQuery()).total == 10)
        }
    }

    /// Inserts `record` as the first and second schemas stored it: only the columns of
    /// `v1-messages`, its times as plain Unix seconds, and a JSON document without `stale`.
    static func insertFirstSchemaRow(_ record: MessageRecord, in db: Database) throws {
        let json = String(decoding: try JSONCoding.makeEncoder().encode(record), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO messages (
                    sid, status, rank, is_final, error_code, channel, conflict,
                    first_seen_at, updated_at, record
                ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, json_remove(?, '$.stale'))
                """,
            arguments: [
                record.sid, record.status.wireValue, record.status.rank, record.isFinal, record.errorCode,
                record.channel.name, record.conflict, record.firstSeenAt.timeIntervalSince1970,
                record.updatedAt.timeIntervalSince1970, json,
            ])
    }

    /// Inserts `change` into the outbox as the second schema stored it, without `stale`.
    private static func insertSecondSchemaChange(_ change: StatusChange, in db: Database) throws {
        let json = String(decoding: try JSONCoding.makeEncoder().encode(change), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO outbox (seq, change) VALUES (?, json_remove(?, '$.stale'))",
            arguments: [change.seq, json])
    }

    /// Keeps `change` as a dead letter of `sink` as the second schema stored it, without `stale`.
    private static func insertSecondSchemaDeadLetter(_ change: StatusChange, sink: String, in db: Database) throws {
        let json = String(decoding: try JSONCoding.makeEncoder().encode(change), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO dead_letters (sink, change_id, seq, change, reason, failed_at)
                VALUES (?, ?, ?, json_remove(?, '$.stale'), 'HTTP 500', ?)
                """,
            arguments: [sink, change.id, change.seq, json, Fixture.time(90).timeIntervalSince1970])
    }
}

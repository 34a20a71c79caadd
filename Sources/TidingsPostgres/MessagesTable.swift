import Foundation
import PostgresNIO
import TidingsCore

/// Reads and writes rows of the `messages` table (see `PostgresSchema`).
///
/// A row holds the whole ``TidingsCore/MessageRecord`` as its JSON document (`record`)
/// and, beside it, the parts of the record that queries filter, sort and count on. Every
/// write goes through ``save(replacing:adding:on:logger:)``, which keeps those columns in
/// step with the document. Times are ``TimeColumn`` values.
enum MessagesTable {
    /// The stored record of `sid`, or nil when no callback for it was ever stored.
    static func record(sid: String, on connection: PostgresConnection, decoder: JSONDecoder) async throws -> MessageRecord? {
        try await document(sid: sid, on: connection).map { try decode($0, decoder: decoder) }
    }

    /// The stored `record` document of `sid`, as it is; nil when no callback for it was
    /// ever stored.
    static func document(sid: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query("SELECT record FROM messages WHERE sid = \(sid)")
        for try await json in rows.decode(String.self) { return json }
        return nil
    }

    /// The stored records of `sids`, locked for this transaction (`FOR UPDATE`), by SID.
    static func records(
        sids: [String], on connection: PostgresConnection, decoder: JSONDecoder, logger: Logger
    ) async throws -> [String: MessageRecord] {
        var records: [String: MessageRecord] = [:]
        let rows = try await connection.query(
            "SELECT sid, record FROM messages WHERE sid = ANY(\(sids)) ORDER BY sid FOR UPDATE", logger: logger)
        for try await (sid, json) in rows.decode((String, String).self) {
            records[sid] = try decode(json, decoder: decoder)
        }
        return records
    }

    /// The stored records of `sids`, by SID, each with its row's version (`xmin`, which
    /// every update of the row changes), read without locking them: see `OptimisticCommit`.
    static func versionedRecords(
        sids: [String], on connection: PostgresConnection, decoder: JSONDecoder, logger: Logger
    ) async throws -> [String: VersionedRecord] {
        var records: [String: VersionedRecord] = [:]
        for try await (sid, json, version) in try await connection.execute(VersionedReading(sids: sids), logger: logger) {
            records[sid] = VersionedRecord(record: try decode(json, decoder: decoder), version: version)
        }
        return records
    }

    /// The statement of ``versionedRecords(sids:on:decoder:logger:)``, prepared once on
    /// each connection: every callback's group commit runs it.
    struct VersionedReading: PostgresPreparedStatement {
        static let sql = "SELECT sid, record, xmin::text FROM messages WHERE sid = ANY($1)"
        typealias Row = (String, String, String)

        let sids: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(sids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    /// A stored record and the version of its row when it was read.
    struct VersionedRecord {
        let record: MessageRecord
        /// The row's `xmin`, as text.
        let version: String
    }

    /// `records` as the JSON array that `jsonb_to_recordset(… AS given (\(recordsetColumns)))`
    /// turns back into rows; a record whose SID is in `versions` carries that version as
    /// its row's `version`.
    static func rowsText(_ records: [MessageRecord], versions: [String: String] = [:]) -> String {
        JSONCoding.encodedText(records.map { Row(MessageColumns($0), version: versions[$0.sid]) })
    }

    /// The columns of `messages`, comma-separated, in ``rowsText(_:versions:)``'s names.
    static let columnList = MessageColumns.names.joined(separator: ", ")

    /// The column definitions of the rows of ``rowsText(_:versions:)`` for `jsonb_to_recordset`,
    /// `version` last.
    static let recordsetColumns =
        (MessageColumns.names.map { "\($0) \(Row.types[$0]!)" } + ["version TEXT"]).joined(separator: ", ")

    /// Writes a transaction's records in one statement: `replacing` are those whose rows
    /// it read (and locked) or inserted, `adding` those of messages it found no row for.
    /// The rows travel as JSON arrays that `jsonb_to_recordset` turns back into rows, so a
    /// group commit costs one round trip however many messages it changed.
    ///
    /// Returns the SIDs of `adding` whose row another transaction inserted since this one
    /// looked (a message's first callbacks reached two instances at once): those records
    /// were not written; read the rows, which this transaction may now lock, and write the
    /// records again.
    static func save(
        replacing: [MessageRecord], adding: [MessageRecord], on connection: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        guard !replacing.isEmpty || !adding.isEmpty else { return [] }
        let (replaced, added, columns, types) = (rowsText(replacing), rowsText(adding), columnList, recordsetColumns)
        let rows = try await connection.query(
            """
            WITH replaced AS (
                INSERT INTO messages (\(unescaped: columns))
                SELECT \(unescaped: columns) FROM jsonb_to_recordset(\(replaced)::jsonb) AS given (\(unescaped: types))
                ON CONFLICT (sid) DO UPDATE SET \(unescaped: MessageColumns.upsertAssignments)
            )
            INSERT INTO messages (\(unescaped: columns))
            SELECT \(unescaped: columns) FROM jsonb_to_recordset(\(added)::jsonb) AS given (\(unescaped: types))
            ON CONFLICT (sid) DO NOTHING RETURNING sid
            """, logger: logger)
        var notInserted = Set(adding.map(\.sid))
        for try await sid in rows.decode(String.self) { notInserted.remove(sid) }
        return notInserted.sorted()
    }

    /// One row of `messages`, as ``rowsText(_:versions:)`` sends it inside a JSON array:
    /// the record's ``TidingsCore/MessageColumns``, each under its column name, times as
    /// ``TimeColumn`` values.
    private struct Row: JSONWritable {
        /// The SQL type of each column, for `jsonb_to_recordset`.
        static let types = [
            "sid": "TEXT", "status": "TEXT", "rank": "INTEGER", "is_final": "BOOLEAN", "error_code": "BIGINT",
            "channel": "TEXT", "conflict": "BOOLEAN", "first_seen_at": "BIGINT", "updated_at": "BIGINT",
            "record": "TEXT", "to_address": "TEXT", "stale": "BOOLEAN", "queued_to_sent": "DOUBLE PRECISION",
            "sent_to_delivered": "DOUBLE PRECISION", "carrier_to_callback": "DOUBLE PRECISION",
            "conversation_message_sid": "TEXT",
        ]

        let sid: String
        let status: String
        let rank: Int?
        let is_final: Bool
        let error_code: Int?
        let channel: String
        let conflict: Bool
        let first_seen_at: Int64
        let updated_at: Int64
        let record: String
        let to_address: String?
        let stale: Bool
        let queued_to_sent: Double?
        let sent_to_delivered: Double?
        let carrier_to_callback: Double?
        let conversation_message_sid: String?
        /// The version of the row this record replaces, when it was read without a lock.
        let version: String?

        init(_ columns: MessageColumns, version: String?) {
            self.version = version
            sid = columns.sid
            status = columns.status
            rank = columns.rank
            is_final = columns.isFinal
            error_code = columns.errorCode
            channel = columns.channel
            conflict = columns.conflict
            first_seen_at = TimeColumn.value(columns.firstSeenAt)
            updated_at = TimeColumn.value(columns.updatedAt)
            record = columns.document
            to_address = columns.to
            stale = columns.stale
            queued_to_sent = columns.latencies.queuedToSent
            sent_to_delivered = columns.latencies.sentToDelivered
            carrier_to_callback = columns.latencies.carrierToCallback
            conversation_message_sid = columns.conversationMessageSid
        }

        func write(to writer: inout JSONWriter) {
            writer.object { object in
                object.field("carrier_to_callback", carrier_to_callback)
                object.field("channel", channel)
                object.field("conflict", conflict)
                object.field("conversation_message_sid", conversation_message_sid)
                object.field("error_code", error_code)
                object.field("first_seen_at", first_seen_at)
                object.field("is_final", is_final)
                object.field("queued_to_sent", queued_to_sent)
                object.field("rank", rank)
                object.field("record", record)
                object.field("sent_to_delivered", sent_to_delivered)
                object.field("sid", sid)
                object.field("stale", stale)
                object.field("status", status)
                object.field("to_address", to_address)
                object.field("updated_at", updated_at)
                object.field("version", version)
            }
        }
    }

    /// Reads a `record` document.
    static func decode(_ json: String, decoder: JSONDecoder) throws -> MessageRecord {
        try JSONCoding.decodeRecord(json, decoder: decoder)
    }
}

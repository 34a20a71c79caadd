import Foundation
import PostgresNIO
import TidingsCore

/// Reads and writes rows of the `messages` table (see `PostgresSchema`).
///
/// A row holds the whole ``TidingsCore/MessageRecord`` as its JSON document (`record`)
/// and, beside it, the parts of the record that queries filter, sort and count on. Every
/// write goes through ``save(_:on:encoder:)``, which keeps those columns in step with the
/// document. Times are ``MillisecondColumn`` values.
enum MessagesRows {
    /// The stored record of `sid`, or nil when no callback for it was ever stored.
    static func record(sid: String, on client: PostgresClient, decoder: JSONDecoder) async throws -> MessageRecord? {
        let rows = try await client.query("SELECT record FROM messages WHERE sid = \(sid)")
        for try await json in rows.decode(String.self) {
            return try decode(json, decoder: decoder)
        }
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

    /// Inserts `record`, or replaces the row of its SID.
    static func save(_ record: MessageRecord, on connection: PostgresConnection, encoder: JSONEncoder, logger: Logger) async throws {
        let json = String(decoding: try encoder.encode(record), as: UTF8.self)
        let latencies = MessageLatencies(record)
        let rank = record.status.rank.map(Int64.init)
        let errorCode = record.errorCode.map(Int64.init)
        try await connection.query(
            """
            INSERT INTO messages (
                sid, status, rank, is_final, error_code, channel, conflict,
                first_seen_at, updated_at, record,
                to_address, stale, queued_to_sent, sent_to_delivered, carrier_to_callback
            ) VALUES (
                \(record.sid), \(record.status.wireValue), \(rank), \(record.isFinal), \(errorCode),
                \(record.channel.name), \(record.conflict),
                \(MillisecondColumn.value(record.firstSeenAt)), \(MillisecondColumn.value(record.updatedAt)), \(json),
                \(record.to), \(record.stale), \(latencies.queuedToSent), \(latencies.sentToDelivered),
                \(latencies.carrierToCallback)
            )
            ON CONFLICT (sid) DO UPDATE SET
                status = excluded.status,
                rank = excluded.rank,
                is_final = excluded.is_final,
                error_code = excluded.error_code,
                channel = excluded.channel,
                conflict = excluded.conflict,
                updated_at = excluded.updated_at,
                record = excluded.record,
                to_address = excluded.to_address,
                stale = excluded.stale,
                queued_to_sent = excluded.queued_to_sent,
                sent_to_delivered = excluded.sent_to_delivered,
                carrier_to_callback = excluded.carrier_to_callback
            """, logger: logger)
    }

    /// Reads a `record` document.
    static func decode(_ json: String, decoder: JSONDecoder) throws -> MessageRecord {
        try decoder.decode(MessageRecord.self, from: Data(json.utf8))
    }
}

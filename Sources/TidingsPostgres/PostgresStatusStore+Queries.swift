import Foundation
import PostgresNIO
import TidingsCore

/// Listing, stats, the status series and the maintenance of the `messages` table, in SQL
/// over the columns beside each record's JSON document.
///
/// Each query is the SQL form of the reference semantics in `TidingsCore`
/// (``TidingsCore/MessageQuery/admits(_:)``, ``TidingsCore/MessageCursor/precedes(_:)``,
/// ``TidingsCore/StatsQuery/admits(_:)``, ``TidingsCore/MessageStatsBuilder``,
/// ``TidingsCore/SeriesQuery/admits(_:)``, ``TidingsCore/StatusSeriesBuilder``), exactly as
/// the SQLite store runs it, with every value bound as a parameter.
extension PostgresStatusStore {
    /// One page of the messages `query` selects, newest change first (by SID, descending,
    /// among messages changed at the same millisecond), after its keyset cursor.
    public func messages(matching query: MessageQuery) async throws -> MessagePage {
        var conditions = Self.filters(of: query)
        if let cursor = query.cursor {
            conditions.add("(updated_at, sid) < (?, ?)", TimeColumn.value(cursor.updatedAt), cursor.sid)
        }
        let listing = conditions.query(
            "SELECT record FROM messages {where} ORDER BY updated_at DESC, sid DESC LIMIT \(query.limit + 1)")
        return try await running("list messages") { connection in
            let decoder = JSONCoding.makeDecoder()
            var records: [MessageRecord] = []
            for try await json in try await connection.query(listing).decode(String.self) {
                records.append(try MessagesTable.decode(json, decoder: decoder))
            }
            let shown = Array(records.prefix(query.limit))
            guard records.count > query.limit, let last = shown.last else {
                return MessagePage(messages: shown, nextCursor: nil)
            }
            return MessagePage(messages: shown, nextCursor: MessageCursor(updatedAt: last.updatedAt, sid: last.sid).token)
        }
    }

    /// The counts and latencies of the messages whose last change falls in `query`'s
    /// window: counts grouped in SQL, latency samples from the latency columns, both in
    /// one read-only transaction so they come from the same state of the database.
    public func stats(_ query: StatsQuery) async throws -> MessageStats {
        let selection = Self.window(since: query.since, until: query.until, channel: query.channel)
        return try await writing("count messages") { [self] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            var stats = MessageStatsBuilder()
            let groups = try await connection.query(selection.query(
                """
                SELECT status, channel, error_code, COUNT(*), COUNT(*) FILTER (WHERE stale),
                       COUNT(*) FILTER (WHERE conflict)
                FROM messages {where} GROUP BY status, channel, error_code
                """), logger: logger)
            for try await (status, channel, errorCode, messages, stale, conflicts)
                in groups.decode((String, String, Int64?, Int64, Int64, Int64).self)
            {
                stats.add(
                    status: status, channel: channel, errorCode: errorCode.map(Int.init), messages: Int(messages),
                    stale: Int(stale), conflicts: Int(conflicts))
            }
            var timed = selection
            timed.add("(queued_to_sent IS NOT NULL OR sent_to_delivered IS NOT NULL OR carrier_to_callback IS NOT NULL)")
            let samples = try await connection.query(timed.query(
                "SELECT queued_to_sent, sent_to_delivered, carrier_to_callback FROM messages {where}"), logger: logger)
            for try await (queued, sent, carrier) in samples.decode((Double?, Double?, Double?).self) {
                stats.add(MessageLatencies(queuedToSent: queued, sentToDelivered: sent, carrierToCallback: carrier))
            }
            return stats.build()
        }
    }

    /// The messages whose last change falls in `query`'s buckets, counted in one grouped
    /// SQL query, one row per bucket and status: a message's bucket is its position from
    /// the series' start, `(updated_at − start) / bucket` in whole milliseconds. The window
    /// is a range of `updated_at`, which the indexes lead with (or follow the channel with).
    public func statusSeries(_ query: SeriesQuery) async throws -> StatusSeries {
        var selection = Self.window(since: query.start, until: query.end, channel: query.channel)
        let start = selection.parameter(query.startMilliseconds)
        let bucket = selection.parameter(query.bucketMilliseconds)
        let groups = selection.query(
            """
            SELECT (updated_at - \(start)) / \(bucket) AS bucket, status, COUNT(*)
            FROM messages {where} GROUP BY bucket, status
            """)
        return try await running("count messages by bucket") { connection in
            var series = StatusSeriesBuilder(query)
            for try await (position, status, messages) in try await connection.query(groups).decode((Int64, String, Int64).self) {
                series.add(position: Int(position), status: status, messages: Int(messages))
            }
            return series.build()
        }
    }

    /// Marks every message still in flight whose last change is before `cutoff` as stale,
    /// in one transaction that locks their rows as a group commit does, in SID order, and
    /// appends the stale changes to the outbox last: the stale changes and the callbacks'
    /// changes share one gapless sequence of `seq`s, and two instances never mark the same
    /// message twice (the second finds it stale already). Oldest change first.
    public func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange] {
        let changes = try await writing("mark stale messages") { [self] connection -> [StatusChange] in
            let decoder = JSONCoding.makeDecoder()
            let rows = try await connection.query(
                """
                SELECT record FROM messages
                WHERE NOT is_final AND NOT stale AND updated_at < \(TimeColumn.lowerBound(cutoff))
                ORDER BY sid FOR UPDATE
                """, logger: logger)
            var candidates: [MessageRecord] = []
            for try await json in rows.decode(String.self) {
                candidates.append(try MessagesTable.decode(json, decoder: decoder))
            }
            candidates.sort { ($0.updatedAt, $0.sid) < ($1.updatedAt, $1.sid) }
            let marked = StatusMachine.markStale(candidates, at: time, numberingAfter: 0)
            _ = try await MessagesTable.save(replacing: marked.map(\.record), adding: [], on: connection, logger: logger)
            guard
                let before = try await OutboxTable.append(
                    marked.map(\.change), on: connection, announcements: announcements, logger: logger)
            else { return [] }
            let changes = marked.map { stale in
                var change = stale.change
                change.seq! += before
                return change
            }
            return changes
        }
        announcements.committed(changes)
        return changes
    }

    /// Deletes the messages whose last change is before `cutoff`, oldest first, in
    /// transactions of ``TidingsCore/BatchedDeletion/batchSize``; returns how many went. The
    /// outbox is not touched: changes already queued still reach their sinks.
    @discardableResult
    public func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int {
        try await BatchedDeletion.run {
            try await writing("delete messages past the retention period") { [self] connection in
                try await Self.count(
                    """
                    WITH gone AS (
                        DELETE FROM messages WHERE sid IN (
                            SELECT sid FROM messages WHERE updated_at < \(TimeColumn.lowerBound(cutoff))
                            ORDER BY updated_at LIMIT \(BatchedDeletion.batchSize)
                        ) RETURNING 1
                    ) SELECT COUNT(*) FROM gone
                    """, on: connection, logger: logger)
            }
        }
    }

    /// Runs `query`, which selects one count.
    static func count(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        for try await count in try await connection.query(query, logger: logger).decode(Int64.self) {
            return Int(count)
        }
        return 0
    }

    /// The conditions of every filter `query` sets (its cursor aside).
    private static func filters(of query: MessageQuery) -> SQLConditions {
        var conditions = window(since: query.since, until: query.until, channel: query.channel)
        if !query.statuses.isEmpty { conditions.add("status = ANY(?)", query.statuses.sorted()) }
        if let errorCode = query.errorCode { conditions.add("error_code = ?", Int64(errorCode)) }
        if let to = query.to { conditions.add("to_address = ?", to) }
        // Spelled out, not bound, so that the messages in flight come from `messages_in_flight`.
        if let isFinal = query.isFinal { conditions.add(isFinal ? "is_final" : "NOT is_final") }
        if let conflict = query.conflict { conditions.add("conflict = ?", conflict) }
        if let stale = query.stale { conditions.add("stale = ?", stale) }
        return conditions
    }

    /// The conditions of a window of last changes, `since` included and `until` excluded,
    /// and of a channel.
    private static func window(since: Date?, until: Date?, channel: String?) -> SQLConditions {
        var conditions = SQLConditions()
        if let since { conditions.add("updated_at >= ?", TimeColumn.lowerBound(since)) }
        if let until { conditions.add("updated_at < ?", TimeColumn.lowerBound(until)) }
        if let channel { conditions.add("channel = ?", channel) }
        return conditions
    }
}

import Foundation
import GRDB
import TidingsCore

/// The read queries of the `messages` table: the listing of `GET /v1/messages` and the
/// numbers of `GET /v1/stats` and `GET /v1/stats/series`, in SQL over the columns beside
/// the JSON document.
///
/// Each is the SQL form of the reference semantics in `TidingsCore`
/// (``TidingsCore/MessageQuery/admits(_:)``, ``TidingsCore/MessageCursor/precedes(_:)``,
/// ``TidingsCore/StatsQuery/admits(_:)``, ``TidingsCore/MessageStatsBuilder``,
/// ``TidingsCore/SeriesQuery/admits(_:)``, ``TidingsCore/StatusSeriesBuilder``), with every
/// value bound as a parameter.
extension MessagesTable {
    /// One page of the messages `query` selects, newest change first and by SID
    /// (descending) among messages changed at the same millisecond.
    ///
    /// One row more than the limit is read (see ``listing(matching:)``) to know whether a
    /// next page exists; only then does the page carry a cursor, the one naming its last
    /// message.
    static func page(matching query: MessageQuery, in db: Database, decoder: JSONDecoder) throws -> MessagePage {
        let records = try listing(matching: query).fetchAll(db).map { try decode($0, decoder: decoder) }
        let shown = Array(records.prefix(query.limit))
        guard records.count > query.limit, let last = shown.last else {
            return MessagePage(messages: shown, nextCursor: nil)
        }
        return MessagePage(
            messages: shown, nextCursor: MessageCursor(updatedAt: last.updatedAt, sid: last.sid).token)
    }

    /// The SQL query of one page: the records `query`'s filters admit, after its cursor by
    /// keyset — just after the cursor's (`updated_at`, `sid`) in the listing's order —
    /// limited to one more than `query`'s limit.
    static func listing(matching query: MessageQuery) -> SQLRequest<String> {
        var conditions = filters(of: query)
        if let cursor = query.cursor {
            conditions.append("(updated_at, sid) < (\(TimeColumn.value(cursor.updatedAt)), \(cursor.sid))")
        }
        return SQLRequest<String>(
            literal: """
                SELECT record FROM messages \(whereClause(conditions))
                ORDER BY updated_at DESC, sid DESC LIMIT \(query.limit + 1)
                """)
    }

    /// The counts and latencies of the messages `query` selects.
    ///
    /// Counts are grouped in SQL, one row per status, channel and error code, and summed
    /// here into the three breakdowns; latency samples are the non-null latency columns of
    /// the same messages. Call it inside one read transaction, so both come from the same
    /// state of the database.
    static func stats(_ query: StatsQuery, in db: Database) throws -> MessageStats {
        let selection = window(since: query.since, until: query.until, channel: query.channel)
        var stats = MessageStatsBuilder()
        let groups = try SQLRequest<Row>(
            literal: """
                SELECT status, channel, error_code, COUNT(*) AS messages,
                       SUM(stale) AS stale_messages, SUM(conflict) AS conflicting_messages
                FROM messages \(whereClause(selection))
                GROUP BY status, channel, error_code
                """
        ).fetchAll(db)
        for group in groups {
            stats.add(
                status: group["status"], channel: group["channel"], errorCode: group["error_code"],
                messages: group["messages"], stale: group["stale_messages"], conflicts: group["conflicting_messages"])
        }
        let timed: SQL = """
            (queued_to_sent IS NOT NULL OR sent_to_delivered IS NOT NULL OR carrier_to_callback IS NOT NULL)
            """
        let samples = try SQLRequest<Row>(
            literal: """
                SELECT queued_to_sent, sent_to_delivered, carrier_to_callback
                FROM messages \(whereClause(selection + [timed]))
                """
        ).fetchCursor(db)
        while let sample = try samples.next() {
            stats.add(MessageLatencies(
                queuedToSent: sample["queued_to_sent"], sentToDelivered: sample["sent_to_delivered"],
                carrierToCallback: sample["carrier_to_callback"]))
        }
        return stats.build()
    }

    /// The messages `query` counts, by bucket and current status.
    ///
    /// Counted in SQL, one row per bucket and status: a message's bucket is its position
    /// from the series' start, `(updated_at in milliseconds − start) / bucket` in integer
    /// arithmetic (``TimeColumn`` keeps whole milliseconds, so the product rounds back to
    /// the exact millisecond). The window is a range of `updated_at`, which the indexes
    /// lead with (or follow the channel with), so only the rows counted are read.
    static func statusSeries(_ query: SeriesQuery, in db: Database) throws -> StatusSeries {
        let selection = window(since: query.start, until: query.end, channel: query.channel)
        var series = StatusSeriesBuilder(query)
        let groups = try SQLRequest<Row>(
            literal: """
                SELECT (CAST(ROUND(updated_at * 1000) AS INTEGER) - \(query.startMilliseconds)) / \(query.bucketMilliseconds)
                           AS bucket,
                       status, COUNT(*) AS messages
                FROM messages \(whereClause(selection))
                GROUP BY bucket, status
                """
        ).fetchAll(db)
        for group in groups {
            series.add(position: group["bucket"], status: group["status"], messages: group["messages"])
        }
        return series.build()
    }

    /// The conditions of every filter `query` sets (its cursor aside).
    private static func filters(of query: MessageQuery) -> [SQL] {
        var conditions = window(since: query.since, until: query.until, channel: query.channel)
        if !query.statuses.isEmpty {
            conditions.append("status IN \(query.statuses.sorted())")
        }
        if let errorCode = query.errorCode {
            conditions.append("error_code = \(errorCode)")
        }
        if let to = query.to {
            conditions.append("to_address = \(to)")
        }
        if let isFinal = query.isFinal {
            // Spelled out, not bound: only then does SQLite read the messages in flight
            // from `messages_in_flight`, a partial index.
            conditions.append(isFinal ? "is_final = 1" : "is_final = 0")
        }
        if let conflict = query.conflict {
            conditions.append("conflict = \(conflict)")
        }
        if let stale = query.stale {
            conditions.append("stale = \(stale)")
        }
        return conditions
    }

    /// The conditions of a window of last changes, `since` included and `until` excluded,
    /// and of a channel.
    private static func window(since: Date?, until: Date?, channel: String?) -> [SQL] {
        var conditions: [SQL] = []
        if let since {
            conditions.append("updated_at >= \(TimeColumn.lowerBound(since))")
        }
        if let until {
            conditions.append("updated_at < \(TimeColumn.lowerBound(until))")
        }
        if let channel {
            conditions.append("channel = \(channel)")
        }
        return conditions
    }

    /// `WHERE` and the conditions joined by `AND`; nothing when there are none.
    private static func whereClause(_ conditions: [SQL]) -> SQL {
        conditions.isEmpty ? "" : "WHERE \(conditions.joined(separator: " AND "))"
    }
}

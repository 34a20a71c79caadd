import Foundation
import GRDB
import TidingsCore

/// Listing, stats, the status series and the maintenance of the `messages` table: the
/// queries run in SQL over the columns beside each record's JSON document (see
/// `MessagesTable+Queries.swift`).
extension SQLiteStatusStore {
    /// One page of the messages `query` selects, newest change first: one SQL query on a
    /// reader connection, its filters and keyset cursor bound as parameters.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read or a stored record
    ///   cannot be decoded.
    public func messages(matching query: MessageQuery) async throws -> MessagePage {
        try await reading("list messages") { db in
            try MessagesTable.page(matching: query, in: db, decoder: JSONCoding.makeDecoder())
        }
    }

    /// The channel messages of one Conversations message, first seen first, on a reader.
    public func channelMessages(ofConversationMessage sid: String, limit: Int) async throws -> [MessageRecord] {
        try await reading("read the channel messages of \(sid)") { db in
            let decoder = JSONCoding.makeDecoder()
            return try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT record FROM messages WHERE conversation_message_sid = ?
                        ORDER BY first_seen_at, sid LIMIT ?
                        """),
                arguments: [sid, limit]
            ).map { try JSONCoding.decodeRecord($0, decoder: decoder) }
        }
    }

    /// The counts and latencies of the messages whose last change falls in `query`'s
    /// window, counted in SQL on a reader connection, in one read transaction.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read.
    public func stats(_ query: StatsQuery) async throws -> MessageStats {
        try await reading("count messages") { db in try MessagesTable.stats(query, in: db) }
    }

    /// The messages whose last change falls in `query`'s buckets, counted by bucket and
    /// current status in one grouped SQL query on a reader connection.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read.
    public func statusSeries(_ query: SeriesQuery) async throws -> StatusSeries {
        try await reading("count messages by bucket") { db in try MessagesTable.statusSeries(query, in: db) }
    }

    /// Marks every message still in flight whose last change is before `cutoff` as stale,
    /// in one write transaction: each message's record is saved and its change appended to
    /// the outbox.
    ///
    /// The changes are numbered like the group commits' (see `CallbackBatch`): from
    /// the outbox's latest `seq`, read inside this transaction, which holds SQLite's write
    /// lock from its start. Every write transaction, this one and the group commits alike,
    /// runs on the pool's one writer connection, so the `seq`s of stale changes and of
    /// callbacks form one contiguous, unique sequence. Messages are marked oldest change
    /// first, so their `seq`s follow the order in which they went quiet.
    ///
    /// - Returns: the changes, with their `seq`; empty when no message is newly stale.
    /// - Throws: `StatusStoreError` when the transaction failed; nothing was marked.
    public func markStale(lastChangeBefore cutoff: Date, at time: Date) async throws -> [StatusChange] {
        try await writing("mark stale messages") { db in
            let candidates = try MessagesTable.inFlightRecords(
                lastChangeBefore: cutoff, in: db, decoder: JSONCoding.makeDecoder())
            let marked = StatusMachine.markStale(candidates, at: time, numberingAfter: try OutboxTable.latestSeq(in: db))
            for (record, change) in marked {
                try MessagesTable.save(record, in: db)
                try OutboxTable.append(change, in: db)
            }
            db.publishAfterCommit(marked.map(\.change), to: self.observers)
            return marked.map(\.change)
        }
    }

    /// Deletes the messages whose last change is before `cutoff`, oldest first, in
    /// transactions of ``TidingsCore/BatchedDeletion/batchSize`` messages; returns how many
    /// went. The outbox is not touched: changes already queued still reach their sinks.
    ///
    /// - Throws: `StatusStoreError` when a transaction failed; the batches committed
    ///   before it stay deleted.
    @discardableResult
    public func deleteMessages(lastChangeBefore cutoff: Date) async throws -> Int {
        try await BatchedDeletion.run {
            try await writing("delete messages past the retention period") { db in
                try MessagesTable.deleteMessages(lastChangeBefore: cutoff, limit: BatchedDeletion.batchSize, in: db)
            }
        }
    }
}

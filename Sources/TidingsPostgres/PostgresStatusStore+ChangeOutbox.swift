import Foundation
import PostgresNIO
import TidingsCore

/// The outbox of the PostgreSQL store: the `outbox`, `sink_cursors`, `dead_letters` and
/// `sink_leases` tables, shared by every instance on the database.
///
/// Changes enter the outbox in the transaction of their callback (see
/// `CallbackBatch`); cursors, dead letters and leases are single statements.
extension PostgresStatusStore {
    /// Up to `limit` changes with a `seq` above `seq`, in `seq` order.
    public func changes(after seq: Int64, limit: Int) async throws -> [StatusChange] {
        let limit = Int64(min(limit, 100_000))
        return try await running("read the outbox") { connection in
            let decoder = JSONCoding.makeDecoder()
            var changes: [StatusChange] = []
            let rows = try await connection.query("SELECT change FROM outbox WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)")
            for try await json in rows.decode(String.self) {
                changes.append(try JSONCoding.decodeChange(json, decoder: decoder))
            }
            return changes
        }
    }

    /// The highest `seq` ever stored, also when every change was pruned since.
    public func latestSeq() async throws -> Int64 {
        try await running("read the latest outbox seq") { connection in
            try await connection.single(Int64.self, "SELECT seq FROM outbox_latest WHERE id = 1") ?? 0
        }
    }

    /// Starts a cursor at the latest committed `seq` for a sink never seen before, in one
    /// statement; returns the sink's cursor, new or kept. A change committing meanwhile
    /// has a higher `seq`, so the new sink gets it.
    @discardableResult
    public func registerSink(_ sink: String) async throws -> Int64 {
        try await running("register sink \(sink)") { connection in
            try await connection.single(
                Int64.self,
                """
                WITH added AS (
                    INSERT INTO sink_cursors (sink, seq) SELECT \(sink), seq FROM outbox_latest WHERE id = 1
                    ON CONFLICT (sink) DO NOTHING RETURNING seq
                ) SELECT seq FROM added UNION ALL SELECT seq FROM sink_cursors WHERE sink = \(sink) LIMIT 1
                """) ?? 0
        }
    }

    /// The highest `seq` `sink` has taken (0 for a sink never registered).
    public func cursor(of sink: String) async throws -> Int64 {
        try await running("read the cursor of sink \(sink)") { connection in
            try await connection.single(Int64.self, "SELECT seq FROM sink_cursors WHERE sink = \(sink)") ?? 0
        }
    }

    /// Moves the cursor of `sink` up to `seq`; a lower `seq` leaves it where it is.
    public func advanceCursor(of sink: String, to seq: Int64) async throws {
        try await running("advance the cursor of sink \(sink)") { connection in
            try await connection.query(
                """
                INSERT INTO sink_cursors (sink, seq) VALUES (\(sink), \(seq))
                ON CONFLICT (sink) DO UPDATE SET seq = GREATEST(sink_cursors.seq, excluded.seq)
                """)
        }
    }

    /// Sets the cursor of `sink` to `seq`, back or forth.
    public func resetCursor(of sink: String, to seq: Int64) async throws {
        try await running("reset the cursor of sink \(sink)") { connection in
            try await connection.query(
                """
                INSERT INTO sink_cursors (sink, seq) VALUES (\(sink), \(seq))
                ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq
                """)
        }
    }

    /// Keeps `changes` as dead letters of `sink`, in one statement. A change already kept
    /// for `sink` stays one dead letter, with the new `reason` and `time`.
    public func addDeadLetters(_ changes: [StatusChange], sink: String, reason: String, at time: Date) async throws {
        guard !changes.isEmpty else { return }
        let ids = changes.map(\.id)
        let seqs = changes.map { $0.seq ?? 0 }
        let documents = changes.map(JSONCoding.encodedText)
        try await running("keep dead letters of sink \(sink)") { connection in
            try await connection.query(
                """
                INSERT INTO dead_letters (sink, change_id, seq, change, reason, failed_at)
                SELECT DISTINCT ON (id) \(sink), id, NULLIF(seq, 0), change, \(reason), \(time.timeIntervalSince1970)
                FROM unnest(\(ids)::text[], \(seqs)::bigint[], \(documents)::text[]) AS given (id, seq, change)
                ON CONFLICT (sink, change_id) DO UPDATE SET
                    seq = excluded.seq, change = excluded.change, reason = excluded.reason, failed_at = excluded.failed_at
                """)
        }
    }

    /// Up to `limit` dead letters of `sink`, oldest first.
    public func deadLetters(of sink: String, limit: Int) async throws -> [DeadLetter] {
        let limit = Int64(min(limit, 100_000))
        return try await running("read the dead letters of sink \(sink)") { connection in
            let decoder = JSONCoding.makeDecoder()
            var letters: [DeadLetter] = []
            let rows = try await connection.query(
                """
                SELECT change, reason, failed_at FROM dead_letters
                WHERE sink = \(sink) ORDER BY failed_at, seq LIMIT \(limit)
                """)
            for try await (json, reason, failedAt) in rows.decode((String, String, Double).self) {
                letters.append(DeadLetter(
                    change: try JSONCoding.decodeChange(json, decoder: decoder), reason: reason,
                    failedAt: Date(timeIntervalSince1970: failedAt)))
            }
            return letters
        }
    }

    /// How many dead letters `sink` has.
    public func deadLetterCount(of sink: String) async throws -> Int {
        try await running("count the dead letters of sink \(sink)") { connection in
            Int(try await connection.single(Int64.self, "SELECT COUNT(*) FROM dead_letters WHERE sink = \(sink)") ?? 0)
        }
    }

    /// Forgets the dead letters of `sink` whose change has one of `ids`.
    public func removeDeadLetters(of sink: String, ids: [String]) async throws {
        try await running("remove dead letters of sink \(sink)") { connection in
            try await connection.query("DELETE FROM dead_letters WHERE sink = \(sink) AND change_id = ANY(\(ids))")
        }
    }

    /// Takes or renews the lease of `sink` for `holder`, timed by the database's clock, so
    /// that instances whose clocks disagree still agree on who holds it.
    public func acquireLease(of sink: String, for holder: String, duration: Duration) async throws -> Bool {
        let seconds = duration.timeInterval
        return try await running("take the lease of sink \(sink)") { connection in
            let rows = try await connection.query(
                """
                INSERT INTO sink_leases (sink, holder, expires_at)
                VALUES (\(sink), \(holder), now() + make_interval(secs => \(seconds)))
                ON CONFLICT (sink) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE sink_leases.holder = excluded.holder OR sink_leases.expires_at < now()
                RETURNING holder
                """)
            for try await _ in rows { return true }
            return false
        }
    }

    /// Ends `holder`'s lease of `sink`, if it holds it.
    public func releaseLease(of sink: String, by holder: String) async throws {
        try await running("release the lease of sink \(sink)") { connection in
            try await connection.query("DELETE FROM sink_leases WHERE sink = \(sink) AND holder = \(holder)")
        }
    }

    /// Deletes the changes with a `seq` up to `seq`; returns how many went.
    /// ``latestSeq()`` is not affected (it is `outbox_latest`).
    @discardableResult
    public func pruneChanges(through seq: Int64) async throws -> Int {
        try await running("prune the outbox") { connection in
            Int(try await connection.single(
                Int64.self, "WITH gone AS (DELETE FROM outbox WHERE seq <= \(seq) RETURNING 1) SELECT COUNT(*) FROM gone") ?? 0)
        }
    }
}

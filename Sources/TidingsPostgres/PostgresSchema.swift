import Foundation
import Logging
import PostgresNIO
import TidingsCore

/// The schema of the PostgreSQL store: one migration per version, applied in order by
/// ``PostgresStatusStore/migrate()``.
///
/// A released migration is never edited: a change to the schema is a new migration, so
/// every database written by an older Tidings is brought forward.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: [String]
    }

    /// The key of the advisory lock held while migrating ("tidings" in ASCII), so that
    /// instances starting together migrate one after the other.
    static let migrationLock: Int64 = 0x7469_6469_6E67_73

    static let migrations: [Migration] = [
        // - `messages`: one row per message, `record` being the whole `MessageRecord` as
        //   the JSON document the API shows, beside the columns that the listing and the
        //   stats filter, sort and count on. Times are Unix milliseconds. Every index ends
        //   with the listing's order, `updated_at DESC, sid DESC`.
        // - `outbox`: one row per change, its `StatusChange` JSON document carrying its
        //   `seq`; `outbox_latest`, the one-row counter of `seq`s (see `OutboxTable`).
        // - `sink_cursors`, `dead_letters` and `sink_leases`, as in the SQLite store.
        Migration(version: 1, name: "messages, outbox, sinks", sql: [
            """
            CREATE TABLE messages (
                sid TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                rank INTEGER,
                is_final BOOLEAN NOT NULL,
                error_code BIGINT,
                channel TEXT NOT NULL,
                conflict BOOLEAN NOT NULL,
                stale BOOLEAN NOT NULL,
                to_address TEXT,
                first_seen_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                queued_to_sent DOUBLE PRECISION,
                sent_to_delivered DOUBLE PRECISION,
                carrier_to_callback DOUBLE PRECISION,
                record TEXT NOT NULL
            )
            """,
            "CREATE INDEX messages_by_change ON messages (updated_at DESC, sid DESC)",
            "CREATE INDEX messages_by_status ON messages (status, updated_at DESC, sid DESC)",
            "CREATE INDEX messages_by_error_code ON messages (error_code, updated_at DESC, sid DESC)",
            "CREATE INDEX messages_by_channel ON messages (channel, updated_at DESC, sid DESC)",
            "CREATE INDEX messages_by_recipient ON messages (to_address, updated_at DESC, sid DESC)",
            "CREATE INDEX messages_by_finality ON messages (is_final, updated_at DESC, sid DESC)",
            "CREATE TABLE outbox (seq BIGINT PRIMARY KEY, change TEXT NOT NULL)",
            "CREATE TABLE outbox_latest (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL)",
            "INSERT INTO outbox_latest (id, seq) VALUES (1, 0)",
            "CREATE TABLE sink_cursors (sink TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            """
            CREATE TABLE dead_letters (
                sink TEXT NOT NULL,
                change_id TEXT NOT NULL,
                seq BIGINT,
                change TEXT NOT NULL,
                reason TEXT NOT NULL,
                failed_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (sink, change_id)
            )
            """,
            "CREATE INDEX dead_letters_by_age ON dead_letters (sink, failed_at, seq)",
            "CREATE TABLE sink_leases (sink TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)",
        ]),
        // What a source sent that is no report, kept verbatim (`quarantine(_:)`);
        // `received_at` in Unix milliseconds, as in `messages`.
        Migration(version: 2, name: "quarantine", sql: [
            """
            CREATE TABLE quarantine (
                id BIGSERIAL PRIMARY KEY,
                source TEXT NOT NULL,
                event_id TEXT,
                reason TEXT NOT NULL,
                document TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                UNIQUE (source, event_id)
            )
            """,
        ]),
        // The Conversations message each channel message delivers
        // (`channelMessages(ofConversationMessage:limit:)`); set by Conversations receipts only.
        Migration(version: 3, name: "conversation messages", sql: [
            "ALTER TABLE messages ADD COLUMN conversation_message_sid TEXT",
            """
            CREATE INDEX messages_by_conversation_message ON messages (conversation_message_sid, first_seen_at)
            WHERE conversation_message_sid IS NOT NULL
            """,
        ]),
        // What a group commit recorded without locks raises, rolling itself back, when one
        // of its messages changed since it read them (`OptimisticCommit`).
        Migration(version: 4, name: "optimistic group commits", sql: [
            """
            CREATE FUNCTION tidings_changed_meanwhile() RETURNS BOOLEAN LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'a message changed since this group commit read it'
                    USING ERRCODE = 'TD001';
            END
            $$
            """,
        ]),
        // Fewer index entries to move when a message changes, as in the SQLite store's
        // `v7-partial-indexes`: `messages_by_error_code` holds only messages with an error
        // code, and `messages_in_flight` (replacing `messages_by_finality`) only those not
        // final. The finality filter is written `is_final` or `NOT is_final`, never with a
        // bound value, so that the planner sees it implies the index's condition.
        Migration(version: 5, name: "partial indexes", sql: [
            "DROP INDEX messages_by_error_code",
            "DROP INDEX messages_by_finality",
            """
            CREATE INDEX messages_by_error_code ON messages (error_code, updated_at DESC, sid DESC)
            WHERE error_code IS NOT NULL
            """,
            "CREATE INDEX messages_in_flight ON messages (updated_at DESC, sid DESC) WHERE NOT is_final",
        ]),
    ]
}

extension PostgresStatusStore {
    /// Brings the schema up to date, in one transaction under an advisory lock: instances
    /// that start at once wait for each other, and the first one migrates. Returns the
    /// versions it applied (empty when the schema was current).
    ///
    /// - Throws: `StatusStoreError` when the database cannot be reached, the user may not
    ///   create tables, or the schema is from a newer Tidings.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await writing("bring the schema up to date") { [self] connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS tidings_schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied: Set<Int> = []
            let rows = try await connection.query("SELECT version FROM tidings_schema_migrations", logger: logger)
            for try await version in rows.decode(Int.self) { applied.insert(version) }
            let known = Set(PostgresSchema.migrations.map(\.version))
            if let newer = applied.subtracting(known).max() {
                throw StatusStoreError(
                    "the PostgreSQL database \(configuration.description) has schema version \(newer), written by a "
                        + "newer Tidings: run that version, or point this one at another database")
            }
            var done: [Int] = []
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO tidings_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                done.append(migration.version)
            }
            return done
        }
    }
}

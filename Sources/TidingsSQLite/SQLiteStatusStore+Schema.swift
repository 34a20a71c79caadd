import Foundation
import GRDB
import TidingsCore

extension SQLiteStatusStore {
    /// The schema, one migration per version, applied in order when a store opens.
    ///
    /// A registered migration is never edited once released: a change to the schema is a
    /// new migration, so that every database written by an older Tidings is brought forward.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()

        // One row per message. `record` is the whole `MessageRecord` as the JSON document
        // the API shows; the other columns repeat the parts of it that list queries filter
        // and sort on, so that those queries never have to read the JSON.
        migrator.registerMigration("v1-messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE messages (
                        sid TEXT PRIMARY KEY NOT NULL,
                        status TEXT NOT NULL,
                        rank INTEGER,
                        is_final INTEGER NOT NULL,
                        error_code INTEGER,
                        channel TEXT NOT NULL,
                        conflict INTEGER NOT NULL,
                        first_seen_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        record TEXT NOT NULL
                    );
                    CREATE INDEX messages_by_updated_at ON messages (updated_at);
                    CREATE INDEX messages_by_status ON messages (status, updated_at);
                    CREATE INDEX messages_by_error_code ON messages (error_code);
                    CREATE INDEX messages_by_channel ON messages (channel);
                    """)
        }

        // The outbox between the store and the sinks (see `ChangeOutbox`).
        //
        // - `outbox`: one row per change, `change` being the `StatusChange` as a JSON
        //   document that carries its `seq`. AUTOINCREMENT keeps the highest `seq` ever
        //   used in `sqlite_sequence`, so a pruned `seq` is never handed out again and the
        //   latest `seq` is known even after every row was pruned (until
        //   `v8-outbox-without-sequence`, which keeps it in `outbox_pruned` instead).
        // - `sink_cursors`: per sink, the highest `seq` it has taken.
        // - `dead_letters`: the changes a sink gave up on, one row per sink and change,
        //   with the change's JSON document, the last error and when it was given up on.
        migrator.registerMigration("v2-outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        change TEXT NOT NULL
                    );
                    CREATE TABLE sink_cursors (
                        sink TEXT PRIMARY KEY NOT NULL,
                        seq INTEGER NOT NULL
                    );
                    CREATE TABLE dead_letters (
                        sink TEXT NOT NULL,
                        change_id TEXT NOT NULL,
                        seq INTEGER,
                        change TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        failed_at REAL NOT NULL,
                        PRIMARY KEY (sink, change_id)
                    );
                    CREATE INDEX dead_letters_by_age ON dead_letters (sink, failed_at, seq);
                    """)
        }

        // The columns and indexes of the listing and the stats (`MessagesTable+Queries`).
        //
        // - `to_address`, `stale` and the three latencies of `MessageLatencies`, in
        //   seconds (null where a step is missing), join the columns that repeat the record.
        // - Records and changes written before `stale` existed get `"stale": false` in
        //   their JSON documents, so that they decode as they are.
        // - Existing rows get the new columns from their records; their times are
        //   rewritten as `TimeColumn` values (whole milliseconds), as every later write
        //   keeps them.
        // - Every index ends with the listing's order, `updated_at DESC, sid DESC`, so a
        //   filtered page is read in order from its index: by change alone, by status,
        //   error code, channel, recipient, and finality (which also finds the messages in
        //   flight that may be stale).
        migrator.registerMigration("v3-queries") { db in
            try db.execute(
                sql: """
                    ALTER TABLE messages ADD COLUMN to_address TEXT;
                    ALTER TABLE messages ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE messages ADD COLUMN queued_to_sent REAL;
                    ALTER TABLE messages ADD COLUMN sent_to_delivered REAL;
                    ALTER TABLE messages ADD COLUMN carrier_to_callback REAL;
                    UPDATE messages SET record = json_set(record, '$.stale', json('false'))
                        WHERE json_type(record, '$.stale') IS NULL;
                    UPDATE outbox SET change = json_set(change, '$.stale', json('false'))
                        WHERE json_type(change, '$.stale') IS NULL;
                    UPDATE dead_letters SET change = json_set(change, '$.stale', json('false'))
                        WHERE json_type(change, '$.stale') IS NULL;
                    """)
            try backfillQueryColumns(db)
            try db.execute(
                sql: """
                    DROP INDEX messages_by_updated_at;
                    DROP INDEX messages_by_status;
                    DROP INDEX messages_by_error_code;
                    DROP INDEX messages_by_channel;
                    CREATE INDEX messages_by_change ON messages (updated_at DESC, sid DESC);
                    CREATE INDEX messages_by_status ON messages (status, updated_at DESC, sid DESC);
                    CREATE INDEX messages_by_error_code ON messages (error_code, updated_at DESC, sid DESC);
                    CREATE INDEX messages_by_channel ON messages (channel, updated_at DESC, sid DESC);
                    CREATE INDEX messages_by_recipient ON messages (to_address, updated_at DESC, sid DESC);
                    CREATE INDEX messages_by_finality ON messages (is_final, updated_at DESC, sid DESC);
                    """)
        }
        // Which process feeds each sink, so that several processes on one database feed
        // every sink once (`SinkLeasesTable`). `expires_at` is Unix seconds.
        migrator.registerMigration("v4-sink-leases") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sink_leases (
                        sink TEXT PRIMARY KEY NOT NULL,
                        holder TEXT NOT NULL,
                        expires_at REAL NOT NULL
                    );
                    """)
        }
        // What a source sent that is no report (`QuarantineTable`), kept verbatim.
        // `received_at` is Unix seconds (`TimeColumn`).
        migrator.registerMigration("v5-quarantine") { db in
            try db.execute(
                sql: """
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        source TEXT NOT NULL,
                        event_id TEXT,
                        reason TEXT NOT NULL,
                        document TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        UNIQUE (source, event_id)
                    );
                    """)
        }
        // The Conversations message each channel message delivers, for
        // `channelMessages(ofConversationMessage:limit:)`; set by Conversations receipts only.
        migrator.registerMigration("v6-conversation-messages") { db in
            try db.execute(
                sql: """
                    ALTER TABLE messages ADD COLUMN conversation_message_sid TEXT;
                    CREATE INDEX messages_by_conversation_message ON messages (conversation_message_sid, first_seen_at)
                        WHERE conversation_message_sid IS NOT NULL;
                    """)
        }
        // Fewer index entries to move when a message changes. `updated_at` ends every index of
        // the listing, so each change of a message moves its entry in each of them; these two
        // now hold only the messages they find:
        //
        // - `messages_by_error_code`, only messages with an error code;
        // - `messages_in_flight` replaces `messages_by_finality`: only messages not final, in
        //   the listing's order. A message leaves it for good when its status turns final;
        //   the final ones are found through `messages_by_change`, being most of them.
        //
        // A query uses a partial index only when its conditions imply the index's, so the
        // finality filter is written `is_final = 0` or `= 1`, never with a bound value.
        migrator.registerMigration("v7-partial-indexes") { db in
            try db.execute(
                sql: """
                    DROP INDEX messages_by_error_code;
                    DROP INDEX messages_by_finality;
                    CREATE INDEX messages_by_error_code ON messages (error_code, updated_at DESC, sid DESC)
                        WHERE error_code IS NOT NULL;
                    CREATE INDEX messages_in_flight ON messages (updated_at DESC, sid DESC)
                        WHERE is_final = 0;
                    """)
        }
        // One page less in every commit: the outbox loses AUTOINCREMENT, whose
        // `sqlite_sequence` row every commit rewrote. The latest `seq` is the outbox's
        // highest, or — once pruning emptied it — the highest ever pruned, which
        // `outbox_pruned` keeps, written only when changes are pruned (`OutboxTable`).
        migrator.registerMigration("v8-outbox-without-sequence") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox_pruned (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        seq INTEGER NOT NULL
                    );
                    INSERT INTO outbox_pruned (id, seq)
                        VALUES (1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0));
                    CREATE TABLE outbox_numbered (
                        seq INTEGER PRIMARY KEY,
                        change TEXT NOT NULL
                    );
                    INSERT INTO outbox_numbered (seq, change) SELECT seq, change FROM outbox;
                    DROP TABLE outbox;
                    ALTER TABLE outbox_numbered RENAME TO outbox;
                    """)
        }
        return migrator
    }()

    /// How many rows `v3-queries` reads at a time while filling in the new columns.
    private static let backfillBatchSize = 500

    /// Fills in the columns added by `v3-queries` from each row's record, and rewrites its
    /// times as `TimeColumn` values, reading the rows in batches in SID order.
    private static func backfillQueryColumns(_ db: Database) throws {
        let decoder = JSONCoding.makeDecoder()
        let update = try db.makeStatement(
            sql: """
                UPDATE messages SET
                    first_seen_at = ?, updated_at = ?, to_address = ?, stale = ?,
                    queued_to_sent = ?, sent_to_delivered = ?, carrier_to_callback = ?
                WHERE sid = ?
                """)
        var lastSid = ""
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT sid, record FROM messages WHERE sid > ? ORDER BY sid LIMIT ?",
                arguments: [lastSid, backfillBatchSize])
            for row in rows {
                let columns = MessageColumns(try MessagesTable.decode(row["record"], decoder: decoder))
                try update.execute(arguments: [
                    TimeColumn.value(columns.firstSeenAt),
                    TimeColumn.value(columns.updatedAt),
                    columns.to,
                    columns.stale,
                    columns.latencies.queuedToSent,
                    columns.latencies.sentToDelivered,
                    columns.latencies.carrierToCallback,
                    columns.sid,
                ])
            }
            guard rows.count == backfillBatchSize, let last = rows.last else { return }
            lastSid = last["sid"]
        }
    }
}

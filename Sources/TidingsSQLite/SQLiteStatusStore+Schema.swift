import GRDB

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
        //   latest `seq` is known even after every row was pruned.
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
        return migrator
    }()
}

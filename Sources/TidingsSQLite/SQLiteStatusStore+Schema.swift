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
        return migrator
    }()
}

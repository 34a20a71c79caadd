import Foundation
import Logging
import TidingsCore
import TidingsPostgres
import TidingsSQLite

/// What `tidings migrate` does: opens the configured store, which brings its schema up to
/// date, and says what it did.
public enum StoreMigration {
    /// Migrates the store `configuration` names; returns a line for people.
    ///
    /// - Throws: `StatusStoreError` saying what failed and what to check.
    public static func run(configuration: TidingsConfiguration, logger: Logger) async throws -> String {
        switch configuration.store {
        case .sqlite:
            // Opening the SQLite store migrates it.
            let store = try SQLiteStatusStore(
                directory: URL(fileURLWithPath: configuration.dataDirectory), synchronous: configuration.sqliteSynchronous,
                logger: nil)
            return "SQLite store \(store.databaseURL.path(percentEncoded: false)) is up to date"
        case .postgres(let postgres):
            let store = PostgresStatusStore(configuration: postgres, logger: logger)
            let applied = try await store.whileRunning { try await store.migrate() }
            return applied.isEmpty
                ? "PostgreSQL store \(postgres.description) was already up to date"
                : "PostgreSQL store \(postgres.description): applied schema versions \(applied.map(String.init).joined(separator: ", "))"
        }
    }
}

import Foundation
import Logging
import TidingsCore

/// What `tidings migrate` does: opens the configured store, prepares it (brings its schema
/// up to date), and says what it did.
public enum StoreMigration {
    /// Migrates the store `configuration` names; returns a line for people.
    ///
    /// - Throws: `StatusStoreError` saying what failed and what to check.
    public static func run(configuration: TidingsConfiguration, logger: Logger) async throws -> String {
        let store = try openStore(configuration: configuration, logger: logger)
        let applied = try await store.whileRunning { try await store.prepare() }
        return applied.isEmpty
            ? "\(store.summary): the schema is up to date"
            : "\(store.summary): applied schema versions \(applied.map(String.init).joined(separator: ", "))"
    }
}

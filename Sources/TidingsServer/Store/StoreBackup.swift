import Foundation
import TidingsCore
import TidingsPostgres
import TidingsSQLite

/// What `tidings backup` does: copies the SQLite store the configuration names into a new
/// data directory (``TidingsSQLite/SQLiteBackup``) while `tidings serve` may keep using
/// it, or says how to back up a PostgreSQL store with `pg_dump`.
public enum StoreBackup {
    /// What came of a backup.
    public enum Outcome: Sendable, Equatable {
        /// The SQLite store was copied; lines for people saying what the copy holds and
        /// how to start on it.
        case copied(String)
        /// The store is PostgreSQL, which `pg_dump` backs up: lines for people with the
        /// commands to run. Nothing was done.
        case postgres(String)
    }

    /// Backs up the store `configuration` names into the new data directory `destination`.
    ///
    /// - Parameters:
    ///   - destination: the data directory to create (relative to the working directory).
    ///   - replacing: whether an earlier backup at `destination` is replaced (`--force`);
    ///     never one that a `tidings serve` is using.
    /// - Throws: `StatusStoreError` saying what failed and what to do.
    public static func run(configuration: TidingsConfiguration, to destination: String, replacing: Bool) throws -> Outcome {
        switch configuration.store {
        case .postgres(let postgres):
            return .postgres(pgDumpInstructions(postgres))
        case .sqlite:
            let target = URL(fileURLWithPath: destination)
            // Never replace a data directory a server is using: hold its claim while replacing it.
            let claim = replacing ? try claimIfServed(target) : nil
            let started = ContinuousClock.now
            let copy = try SQLiteBackup.copy(
                from: URL(fileURLWithPath: configuration.dataDirectory), to: target, replacing: replacing)
            withExtendedLifetime(claim) {}
            let elapsed = ContinuousClock.now - started
            return .copied(
                "backed up the SQLite store in \(copy.sourcePath) to \(copy.directoryPath): \(copy.messages) messages, "
                    + "changes through seq \(copy.latestSeq), \(megabytes(copy.bytes)) in \(seconds(elapsed))\n"
                    + "to restore, start on it (or on a copy of it): tidings serve --data-dir \(copy.directoryPath)")
        }
    }

    /// Claims `directory` as `tidings serve` does when a server once ran there (its lock
    /// file exists), so that none runs there while it is replaced.
    private static func claimIfServed(_ directory: URL) throws -> DataDirectoryLock? {
        var directoryPath = directory.standardizedFileURL.path(percentEncoded: false)
        if directoryPath.count > 1, directoryPath.hasSuffix("/") { directoryPath.removeLast() }
        guard FileManager.default.fileExists(atPath: (directoryPath as NSString).appendingPathComponent("tidings.lock")) else {
            return nil
        }
        do {
            return try DataDirectoryLock(directory: directoryPath)
        } catch {
            throw StatusStoreError(
                "\(directoryPath) is not replaced: a tidings serve is using it. Stop that server first, or name a "
                    + "new directory for the backup", underlying: error)
        }
    }

    /// The `pg_dump` and `pg_restore` commands for `postgres`, without its password.
    static func pgDumpInstructions(_ postgres: PostgresStoreConfiguration) -> String {
        let url = postgres.description
        let restored = url.replacingOccurrences(
            of: "/\(postgres.database)?", with: "/\(postgres.database)_restored?")
        return """
            tidings backup copies the embedded SQLite store; this configuration keeps its records in PostgreSQL \
            (\(url)). Back that up with pg_dump, which reads one consistent snapshot while the instances keep \
            writing (password from PGPASSWORD or ~/.pgpass):

              pg_dump --format=custom --file=tidings.dump '\(url)'

            To restore, into a new, empty database, then start tidings serve with --store naming it:

              createdb --host=\(postgres.host) --port=\(postgres.port) --owner=\(postgres.username) \(postgres.database)_restored   # as a role that may create databases
              pg_restore --no-owner --exit-on-error --dbname='\(restored)' tidings.dump

            For point-in-time recovery, use PostgreSQL's continuous archiving instead: \
            https://www.postgresql.org/docs/current/continuous-archiving.html
            """
    }

    private static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    private static func seconds(_ duration: Duration) -> String {
        let components = duration.components
        return String(format: "%.1f s", Double(components.seconds) + Double(components.attoseconds) / 1e18)
    }
}

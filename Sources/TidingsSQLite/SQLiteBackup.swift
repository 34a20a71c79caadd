import Foundation
import GRDB
import TidingsCore

/// A consistent copy of an SQLite store's database, taken while a `tidings serve` keeps
/// recording callbacks in it: what `tidings backup` makes.
///
/// The copy is a **data directory of its own** holding one file, `tidings.sqlite`
/// (``SQLiteStatusStore/fileName``), which ``SQLiteStatusStore/init(directory:synchronous:logger:clock:)``
/// — and so `tidings serve --data-dir` — opens as it is: restoring is starting on the copy
/// (or on a copy of it). It is a self-contained SQLite file in rollback-journal mode, no
/// write-ahead log beside it; the store turns WAL mode back on when it opens it.
///
/// How the copy is made, and why it is safe beside a running server:
/// - SQLite's online backup (GRDB's `DatabaseReader.backup(to:)`), in **one step**, from a
///   read-only connection of its own: the copy is one snapshot, holding every transaction
///   committed before it began and nothing of those committed during it. A copy in several
///   steps would start again at every commit of the server, and never end under load.
/// - A reader in WAL mode never holds up the writer: callbacks keep committing while the
///   copy runs. The store's write-ahead log grows until the copy ends (no checkpoint passes
///   a reader) and is checkpointed as usual afterwards. The connection is read-only, so it
///   never checkpoints or removes the log itself, and it takes no lock a server waits for,
///   the data directory's claim (`tidings.lock`) included.
/// - The copy is written in a hidden directory beside the destination
///   (`.NAME.backup-…`), synced, then renamed to it: the destination is either complete or
///   absent, even if the copy fails midway or the machine stops. A failed copy removes its
///   hidden directory; one killed midway leaves it, to be deleted.
///
/// The records committed in the store's write-ahead log are in the copy's one file; the
/// data directory's claim (`tidings.lock`) is not copied.
public enum SQLiteBackup {
    /// What a backup copied.
    public struct Copy: Sendable, Equatable {
        /// The data directory copied, as an absolute path.
        public let sourcePath: String
        /// The new data directory, as an absolute path.
        public let directoryPath: String
        /// How many messages the copy holds.
        public let messages: Int
        /// The latest change (`seq`) the copy holds; 0 when it holds none.
        public let latestSeq: Int64
        /// The size of the copy's database file, in bytes.
        public let bytes: Int64
    }

    /// The names a data directory may hold — the database, its journal files and
    /// `tidings serve`'s claim on the directory (`DataDirectoryLock`) — and so the only
    /// names a directory replaced with `replacing: true` may hold.
    static let dataDirectoryNames: Set<String> = [
        SQLiteStatusStore.fileName, SQLiteStatusStore.fileName + "-wal", SQLiteStatusStore.fileName + "-shm",
        SQLiteStatusStore.fileName + "-journal", "tidings.lock",
    ]

    /// Copies the store in `source` into the new data directory `destination`.
    ///
    /// Blocks the calling thread for as long as the copy takes (about as long as reading
    /// the database once). A server using `source` may run meanwhile.
    ///
    /// - Parameters:
    ///   - source: the data directory of the store to copy.
    ///   - destination: the data directory to create, with its parents as needed.
    ///   - replacing: whether an existing `destination` is replaced. Only a directory
    ///     holding nothing but a data directory's files (an earlier backup) is: the caller
    ///     makes sure no server uses it (`tidings backup` takes its `DataDirectoryLock`).
    /// - Returns: what the copy holds.
    /// - Throws: `StatusStoreError` saying, in words for the operator, what failed and what
    ///   to do: no data directory, no store in it, a destination that exists, a full disk.
    ///   Nothing is left at `destination` then (an existing one being replaced stays).
    public static func copy(from source: URL, to destination: URL, replacing: Bool = false) throws -> Copy {
        try copy(from: source, to: destination, replacing: replacing, pageLimit: nil)
    }

    /// ``copy(from:to:replacing:)``, with the copy's database limited to `pageLimit` pages
    /// when given (SQLite then fails as on a full disk; for tests).
    static func copy(from source: URL, to destination: URL, replacing: Bool, pageLimit: Int?) throws -> Copy {
        let sourcePath = normalized(source)
        let destinationPath = normalized(destination)
        let databasePath = (sourcePath as NSString).appendingPathComponent(SQLiteStatusStore.fileName)
        try checkSource(sourcePath, databasePath: databasePath)
        try checkDestination(destinationPath, source: sourcePath, replacing: replacing)

        let parent = (destinationPath as NSString).deletingLastPathComponent
        let name = (destinationPath as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw StatusStoreError(
                "cannot create \(parent) to hold the backup (\(reason(error))): create it, or choose a directory "
                    + "the user running this command can write", underlying: error)
        }

        let sourceDatabase = try openSource(databasePath)
        let size = try storeSize(sourceDatabase, databasePath: databasePath)
        if let available = availableBytes(at: parent), available < size {
            throw diskFull(parent, needed: size, underlying: nil)
        }

        let temporary = (parent as NSString).appendingPathComponent(".\(name).backup-\(suffix())")
        do {
            try FileManager.default.createDirectory(
                atPath: temporary, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw isDiskFull(error)
                ? diskFull(parent, needed: size, underlying: error)
                : StatusStoreError(
                    "cannot create a directory in \(parent) for the backup (\(reason(error))): choose a directory the "
                        + "user running this command can write", underlying: error)
        }
        do {
            let copyPath = (temporary as NSString).appendingPathComponent(SQLiteStatusStore.fileName)
            let copy = try write(sourceDatabase, to: copyPath, pageLimit: pageLimit, neededBytes: size, parent: parent)
            try? sourceDatabase.close()
            keepPermissions(of: databasePath, on: copyPath)
            try syncFile(copyPath)
            // Directories: as far as the file system syncs them (some refuse).
            try? syncFile(temporary)
            try moveIntoPlace(temporary, at: destinationPath)
            try? syncFile(parent)
            keepPermissions(of: sourcePath, on: destinationPath)
            return Copy(
                sourcePath: sourcePath, directoryPath: destinationPath, messages: copy.messages,
                latestSeq: copy.latestSeq, bytes: copy.bytes)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    // MARK: - Checks

    private static func checkSource(_ sourcePath: String, databasePath: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sourcePath, isDirectory: &isDirectory) else {
            throw StatusStoreError(
                "there is no data directory \(sourcePath): name the directory tidings serve keeps its store in "
                    + "(--data-dir, TIDINGS_DATA_DIR; default ./tidings-data)")
        }
        guard isDirectory.boolValue else {
            throw StatusStoreError(
                "\(sourcePath) is a file, not a data directory: name the directory tidings serve keeps its store in")
        }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StatusStoreError(
                "the data directory \(sourcePath) holds no store (no \(SQLiteStatusStore.fileName)): check the "
                    + "directory tidings serve was given; a PostgreSQL store is backed up with pg_dump")
        }
    }

    private static func checkDestination(_ destinationPath: String, source: String, replacing: Bool) throws {
        guard destinationPath != "/" else {
            throw StatusStoreError("the backup cannot replace /: name a new directory for it")
        }
        let resolved = URL(fileURLWithPath: destinationPath).resolvingSymlinksInPath().path
        guard resolved != URL(fileURLWithPath: source).resolvingSymlinksInPath().path else {
            throw StatusStoreError(
                "\(destinationPath) is the data directory being copied: name a new directory for the backup")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destinationPath, isDirectory: &isDirectory) else { return }
        guard replacing else {
            throw StatusStoreError(
                "\(destinationPath) already exists: name a new directory for the backup, or replace an earlier "
                    + "backup there with --force")
        }
        guard isDirectory.boolValue else {
            throw StatusStoreError(
                "\(destinationPath) is a file, and a backup is a data directory: name a new directory for it")
        }
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: destinationPath)) ?? [])
            .filter { !dataDirectoryNames.contains($0) }.sorted()
        guard others.isEmpty else {
            throw StatusStoreError(
                "\(destinationPath) is not a Tidings data directory (it holds \(others.prefix(3).joined(separator: ", "))"
                    + "\(others.count > 3 ? ", …" : "")), so it is not replaced: name a new directory for the backup")
        }
    }

    // MARK: - Copying

    /// A read-only connection to the store's database that waits, as the store does, for a
    /// checkpoint or recovery to end before reading.
    private static func openSource(_ databasePath: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.label = "tidings-backup"
        configuration.readonly = true
        configuration.busyMode = .timeout(SQLiteStatusStore.busyTimeout)
        do {
            return try DatabaseQueue(path: databasePath, configuration: configuration)
        } catch {
            throw StatusStoreError(
                "cannot open the SQLite database \(databasePath) (\(error)): check that the user running this "
                    + "command can read it and its directory (run it as the user that runs tidings serve), and "
                    + "that the file is a Tidings database", underlying: error)
        }
    }

    /// The size of the store's database, in bytes; fails unless it is a Tidings store.
    private static func storeSize(_ database: DatabaseQueue, databasePath: String) throws -> Int64 {
        do {
            return try database.read { db in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("messages") else {
                    throw StatusStoreError(
                        "\(databasePath) is an SQLite database but not a Tidings store: check the data directory")
                }
                let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                return pages * pageSize
            }
        } catch let error as StatusStoreError {
            throw error
        } catch {
            throw StatusStoreError(
                "cannot read the SQLite database \(databasePath) (\(error)): check that the file is a Tidings "
                    + "database and is not damaged", underlying: error)
        }
    }

    /// Copies `source` into a new database at `copyPath` and leaves it in rollback-journal
    /// mode, closed; returns what it holds.
    private static func write(
        _ source: DatabaseQueue, to copyPath: String, pageLimit: Int?, neededBytes: Int64, parent: String
    ) throws -> (messages: Int, latestSeq: Int64, bytes: Int64) {
        do {
            let destination = try DatabaseQueue(path: copyPath)
            defer { try? destination.close() }
            if let pageLimit {
                try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pageLimit)") }
            }
            // One step (pagesPerStep -1): one snapshot of the source, however busy its writer.
            try source.backup(to: destination)
            return try destination.writeWithoutTransaction { db in
                // The source's header says WAL; the copy is one file, the store turns WAL on again.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let messages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0
                let latestSeq = try OutboxTable.latestSeq(in: db)
                let bytes = (try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
                    * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
                return (messages, latestSeq, bytes)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw diskFull(parent, needed: neededBytes, underlying: error)
        } catch {
            throw StatusStoreError(
                "cannot write the backup in \(parent) (\(error)): check that the user running this command can "
                    + "write there", underlying: error)
        }
    }

    /// Gives `copy` the permissions of `original`, as far as they can be read and set: a
    /// store holds phone numbers, and its copy is no more readable than it. (The copy's
    /// directory is created readable by its owner only, and opened up to the data
    /// directory's permissions once in place.)
    private static func keepPermissions(of original: String, on copy: String) {
        let manager = FileManager.default
        if let permissions = try? manager.attributesOfItem(atPath: original)[.posixPermissions] {
            try? manager.setAttributes([.posixPermissions: permissions], ofItemAtPath: copy)
        }
    }

    /// Renames the complete copy `temporary` to `destinationPath`; an existing
    /// `destinationPath` (checked by ``checkDestination(_:source:replacing:)``) is moved
    /// aside first, then removed — or put back when the rename fails.
    private static func moveIntoPlace(_ temporary: String, at destinationPath: String) throws {
        let parent = (destinationPath as NSString).deletingLastPathComponent
        let name = (destinationPath as NSString).lastPathComponent
        var aside: String?
        if FileManager.default.fileExists(atPath: destinationPath) {
            let path = (parent as NSString).appendingPathComponent(".\(name).replaced-\(suffix())")
            guard rename(destinationPath, path) == 0 else {
                throw StatusStoreError("cannot move the earlier backup \(destinationPath) aside: \(String(cString: strerror(errno)))")
            }
            aside = path
        }
        guard rename(temporary, destinationPath) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside, destinationPath) }
            throw StatusStoreError("cannot rename the complete backup to \(destinationPath): \(reason)")
        }
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }

    // MARK: - Files

    /// `url`'s path, absolute, without `.`/`..` or a trailing slash.
    private static func normalized(_ url: URL) -> String {
        let path = url.standardizedFileURL.path(percentEncoded: false)
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    private static func suffix() -> String {
        String(UUID().uuidString.prefix(8)).lowercased()
    }

    /// Syncs a file or directory to disk (a directory: the names in it).
    private static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StatusStoreError("cannot open \(path) to sync the backup: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StatusStoreError("cannot sync the backup \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// The bytes an unprivileged user may still write on the file system holding `path`.
    private static func availableBytes(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    private static func diskFull(_ parent: String, needed: Int64, underlying: (any Error)?) -> StatusStoreError {
        let megabytes = max(1, (needed + 999_999) / 1_000_000)
        return StatusStoreError(
            "the disk holding \(parent) is full: the backup needs about \(megabytes) MB there (the size of the "
                + "store); free some space, or back up to a directory on another disk", underlying: underlying)
    }

    private static func isDiskFull(_ error: any Error) -> Bool {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError { return posix.code == .ENOSPC }
        return (error as? POSIXError)?.code == .ENOSPC
    }

    /// Why a file-system operation failed, in the system's words ("Permission denied").
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.underlying {
        case let posix as POSIXError: String(cString: strerror(posix.code.rawValue))
        case let underlying?: underlying.localizedDescription
        case nil: error.localizedDescription
        }
    }
}

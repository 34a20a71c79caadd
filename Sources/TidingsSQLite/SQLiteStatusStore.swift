import Foundation
import GRDB
import Logging
import TidingsCore
import TwilioWebhooks

/// The embedded default ``TidingsCore/StatusStore``: one SQLite database file,
/// `tidings.sqlite`, in a directory of its own.
///
/// - The database runs in WAL mode, so reads never wait for the writer: ``message(sid:)``
///   and ``checkAvailability()`` use the pool's reader connections, in parallel.
/// - Callbacks go through one writer that commits them in groups: all the callbacks
///   waiting at a moment share one transaction, and so one sync of the disk.
///   ``record(_:receivedAt:)`` returns only after the transaction holding its callback has
///   committed. See ``TidingsCore/GroupCommitQueue`` for how a group is formed and
///   `CallbackBatch` for what one transaction does.
/// - The same transaction appends each change to the `outbox` table, numbered with its
///   `seq`; sink cursors and dead letters are written in transactions of their own on the
///   same writer connection (see `SQLiteStatusStore+ChangeOutbox.swift`).
/// - How much a commit survives is ``SQLiteSynchronous``: by default `FULL`, power loss.
/// - The write-ahead log is copied into the database file on a connection and a thread of
///   its own (`WALCheckpointer`), not by the writer between two commits.
/// - Each message is one row of the `messages` table holding its ``TidingsCore/MessageRecord``
///   as the JSON document the API shows (``TidingsCore/JSONCoding``), next to the columns
///   that the listing and the stats filter, sort and count on, in SQL on a reader (see
///   `SQLiteStatusStore+Queries.swift`). The schema is versioned and migrated on open.
/// - Marking stale messages writes their changes to the outbox in one transaction on the
///   same writer connection, numbered in the one sequence of `seq`s.
///
/// Several stores, even in several processes, may open the same directory: SQLite
/// serializes their writers, each waiting up to ``busyTimeout`` for the others.
public final class SQLiteStatusStore: StatusStore {
    /// The name of the database file inside the store's directory. SQLite keeps
    /// `tidings.sqlite-wal` and `tidings.sqlite-shm` beside it while the store is open.
    public static let fileName = "tidings.sqlite"

    /// How long a connection waits for another one (another store on the same file,
    /// or a checkpoint) to release its lock before failing.
    public static let busyTimeout: TimeInterval = 5

    /// The database file.
    public let databaseURL: URL
    /// The directory the store was opened in, as an absolute path.
    public let directoryPath: String
    /// The durability level of commits.
    public let synchronous: SQLiteSynchronous
    /// The time sink leases are judged by.
    let clock: ServiceClock

    /// The connections: one writer connection, on which `writer` commits callbacks and the
    /// outbox writes cursors and dead letters, and readers used in parallel.
    let pool: DatabasePool
    /// Copies the write-ahead log into the database file beside the writer.
    let checkpointer: WALCheckpointer
    private let writer: GroupCommitQueue
    /// Who hears of each commit's changes (``observeChanges(_:)``).
    let observers: ChangeObservers
    /// The schema versions that opening the store applied (the `N` of `vN-…`), for
    /// ``prepare()`` to report; empty when the database was up to date.
    private let migratedVersions: [Int]

    /// Opens the store in `directory`, creating the directory and the database as needed
    /// and bringing the schema up to date.
    ///
    /// - Parameters:
    ///   - directory: where `tidings.sqlite` lives; created, with its parents, if missing.
    ///   - synchronous: how much a commit survives; `FULL` (power loss) unless told otherwise.
    ///   - logger: where to report the store's opening and failed commits; nil for silence.
    ///   - clock: the time sink leases are judged by (tests step a manual one).
    /// - Throws: `StatusStoreError` saying, in words for the operator, what failed and what
    ///   to check: the directory, the file's permissions, or a database from a newer Tidings.
    public convenience init(
        directory: URL, synchronous: SQLiteSynchronous = .full, logger: Logger? = nil, clock: ServiceClock = .continuous
    ) throws {
        try self.init(
            directory: directory, synchronous: synchronous, logger: logger, clock: clock,
            checkpointSchedule: .standard)
    }

    /// Opens the store as the public initializer does, with the write-ahead log copied into
    /// the database file on `checkpointSchedule` (tests make its thresholds small) and the
    /// file synced after each copy by `syncFile` (tests make it fail).
    init(
        directory: URL, synchronous: SQLiteSynchronous, logger: Logger?, clock: ServiceClock,
        checkpointSchedule: CheckpointSchedule,
        syncFile: @escaping @Sendable (Database) throws -> Void = WALCheckpointer.syncDatabaseFile(of:)
    ) throws {
        let directoryPath = directory.path(percentEncoded: false)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StatusStoreError(
                "cannot create the data directory \(directoryPath) (\(Self.reason(error))): create it yourself "
                    + "and make it writable by the user running Tidings, or choose another directory",
                underlying: error)
        }
        let databaseURL = directory.appending(path: Self.fileName, directoryHint: .notDirectory)
        let databasePath = databaseURL.path(percentEncoded: false)

        var configuration = Configuration()
        configuration.label = "tidings"
        configuration.busyMode = .timeout(Self.busyTimeout)
        let pool: DatabasePool
        let checkpointer: WALCheckpointer
        do {
            pool = try DatabasePool(path: databasePath, configuration: configuration)
            checkpointer = try WALCheckpointer(
                path: databasePath, synchronous: synchronous, schedule: checkpointSchedule, logger: logger,
                syncFile: syncFile)
            // GRDB sets `synchronous=NORMAL` on the writer when it turns WAL on, after any
            // `prepareDatabase` step, so the level is set here, once the pool is open. Only
            // the writer connection commits, and it lives as long as the pool.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous.pragmaValue)")
                checkpointer.takeOver(from: db)
            }
        } catch {
            throw StatusStoreError(
                "cannot open the SQLite database \(databasePath) (\(error)): check that the user "
                    + "running Tidings can read and write it and its directory, and that the file "
                    + "is a Tidings database",
                underlying: error)
        }
        let migratedVersions = try Self.migrate(pool, path: databasePath)

        self.databaseURL = databaseURL
        self.directoryPath = directoryPath.count > 1 && directoryPath.hasSuffix("/") ? String(directoryPath.dropLast()) : directoryPath
        self.synchronous = synchronous
        self.clock = clock
        self.pool = pool
        self.checkpointer = checkpointer
        let observers = ChangeObservers()
        self.observers = observers
        self.migratedVersions = migratedVersions
        self.writer = GroupCommitQueue(
            storeName: "the SQLite store", logger: logger,
            blockingCommit: CallbackBatch.commit(to: pool, observers: observers))
        logger?.info(
            "SQLite store open",
            metadata: ["path": "\(databasePath)", "synchronous": "\(synchronous)"])
    }

    /// Why a file-system operation failed, in the system's words ("Not a directory").
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.underlying {
        case let posix as POSIXError: String(cString: strerror(posix.code.rawValue))
        case let underlying?: underlying.localizedDescription
        case nil: error.localizedDescription
        }
    }

    /// Brings the schema of `pool` up to date; returns the versions it applied, in order.
    private static func migrate(_ pool: DatabasePool, path: String) throws -> [Int] {
        let isFromNewerVersion: Bool
        let alreadyApplied: Set<String>
        do {
            (isFromNewerVersion, alreadyApplied) = try pool.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.appliedIdentifiers(db))
            }
        } catch {
            throw StatusStoreError(
                "cannot read the schema of the SQLite database \(path) (\(error)): check that the "
                    + "file is a Tidings database and is not damaged",
                underlying: error)
        }
        guard !isFromNewerVersion else {
            throw StatusStoreError(
                "the SQLite database \(path) was written by a newer version of Tidings: run that "
                    + "version, or point this one at another directory")
        }
        do {
            try migrator.migrate(pool)
            return try pool.read { db in try migrator.appliedMigrations(db) }
                .filter { !alreadyApplied.contains($0) }
                .map(version(ofMigration:))
        } catch {
            throw StatusStoreError(
                "cannot bring the schema of the SQLite database \(path) up to date (\(error)): check "
                    + "that the user running Tidings can write it and that the disk is not full",
                underlying: error)
        }
    }

    /// The version a migration's identifier starts with: 7 for `v7-partial-indexes`.
    private static func version(ofMigration identifier: String) -> Int {
        guard let version = Int(identifier.dropFirst().prefix { $0.isNumber }) else {
            preconditionFailure("migration \(identifier) is not named vN-…")
        }
        return version
    }

    /// The schema versions that opening this store applied, in order; none when it was up to
    /// date. The SQLite store migrates as it opens, before anything can use it.
    public func prepare() async throws -> [Int] {
        migratedVersions
    }

    /// Applies `report` to its message with ``TidingsCore/StatusMachine`` and returns once
    /// the result is committed, in a transaction shared with every other report waiting
    /// at the same moment.
    ///
    /// - Throws: `StatusStoreError` when the transaction failed; nothing of the report
    ///   was stored.
    public func record(_ report: StatusReport, receivedAt: Date) async throws -> RecordOutcome {
        try await writer.record(report, receivedAt: receivedAt)
    }

    /// Calls `observer` with the changes of every commit, in the order they committed.
    public func observeChanges(_ observer: @escaping @Sendable ([StatusChange]) -> Void) {
        observers.add(observer)
    }

    /// The stored record of one message, read on a reader connection; nil when no callback
    /// for it was ever stored.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read or the stored record
    ///   cannot be decoded.
    public func message(sid: String) async throws -> MessageRecord? {
        try await reading(sid: sid) { db in
            try MessagesTable.record(sid: sid, in: db, decoder: JSONCoding.makeDecoder())
        }
    }

    /// The stored document of one message, as it is (no decoding), read on a reader
    /// connection; nil when no callback for it was ever stored.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read.
    public func messageDocument(sid: String) async throws -> [UInt8]? {
        try await reading(sid: sid) { db in try MessagesTable.document(sid: sid, in: db).map { Array($0.utf8) } }
    }

    /// Runs `read` on a reader connection; a failure becomes a `StatusStoreError` about `sid`.
    private func reading<Value: Sendable>(sid: String, _ read: @Sendable @escaping (Database) throws -> Value) async throws -> Value {
        do {
            return try await pool.read(read)
        } catch {
            throw StatusStoreError(
                "cannot read message \(sid) from the SQLite database \(databaseURL.path(percentEncoded: false)) (\(error))",
                underlying: error)
        }
    }

    /// `SQLite in DIRECTORY (synchronous=LEVEL)`.
    public var summary: String { "SQLite in \(directoryPath) (synchronous=\(synchronous))" }

    /// Runs `SELECT 1` on a reader connection.
    ///
    /// - Throws: `StatusStoreError` when the database cannot be read.
    public func checkAvailability() async throws {
        do {
            try await pool.read { db in try db.execute(sql: "SELECT 1") }
        } catch {
            throw StatusStoreError(
                "the SQLite database \(databaseURL.path(percentEncoded: false)) cannot be read (\(error))",
                underlying: error)
        }
    }

    /// Runs `body` on a reader connection; a failure becomes a `StatusStoreError` saying
    /// what could not be done (`action`) and in which database.
    func reading<T: Sendable>(
        _ action: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await saying(action) { try await pool.read(body) }
    }

    /// Runs `body` in a transaction on the writer connection; a failure becomes a
    /// `StatusStoreError` saying what could not be done (`action`) and in which database.
    func writing<T: Sendable>(
        _ action: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await saying(action) { try await pool.write(body) }
    }

    /// Runs `operation`, turning its failure into ``failure(_:_:)``.
    private func saying<T>(_ action: String, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            throw failure(action, error)
        }
    }

    private func failure(_ action: String, _ error: any Error) -> StatusStoreError {
        StatusStoreError(
            "cannot \(action) in the SQLite database \(databaseURL.path(percentEncoded: false)) (\(error))",
            underlying: error)
    }

    /// How many write transactions this store has committed.
    var committedTransactions: Int { writer.committedTransactions }
}

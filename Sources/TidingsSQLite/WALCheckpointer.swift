import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization

/// Copies the store's write-ahead log into the database file on a connection and a thread
/// of its own, instead of on the writer between two group commits.
///
/// SQLite's automatic checkpoint runs on the connection whose commit took the log past
/// 1,000 pages, inside that commit: the writer copies the log's pages into the database
/// file and syncs it before the batch is acknowledged and before the next batch can start.
/// A commit of one callback writes about ten pages of log, so under load that is one
/// checkpoint every hundred commits or so, all of it on the one thread every callback
/// waits for. The checkpointer takes the writer's place:
///
/// 1. After each commit SQLite tells the writer how many pages the log holds (a WAL hook,
///    which replaces the automatic checkpoint), and the ``CheckpointSchedule`` says what
///    to do.
/// 2. From ``CheckpointSchedule/checkpointPages`` pages not yet in the database file on,
///    the checkpointer copies them (`PASSIVE`: it waits for no reader and no writer) and
///    syncs the file, while the writer goes on committing.
/// 3. From ``CheckpointSchedule/restartPages`` pages of log on, once a checkpoint has
///    finished, the writer's commit copies the few pages appended meanwhile itself, an
///    ordinary passive checkpoint with little left to do, and SQLite's next write starts
///    the log again.
///
/// SQLite syncs the database file only after a checkpoint that copied the whole log, which
/// beside a busy writer the checkpointer's seldom does: the writer has appended by the time
/// it ends. Left to SQLite, the sync of every page the checkpointer copied would fall to the
/// writer's copy of the rest in step 3, inside a commit — up to 6 ms on a store of a million
/// messages, whose pages lie all over the file, with every callback of that commit waiting.
/// So the checkpointer syncs the database file after each copy itself
/// (``syncDatabaseFile(of:)``), and the writer's sync has only its own few pages to flush.
///
/// The checkpoint connection syncs at the store's ``SQLiteSynchronous`` level, and SQLite
/// syncs the database file before the log is ever started again: what a commit made durable
/// stays durable. A checkpoint that fails (a full disk) is logged; one that a reader's old
/// snapshot holds back copies what it can. Either way the next commit past a threshold
/// tries again.
///
/// A sync of the database file that fails after a copy is different, and ends the process
/// (``stopAfterFailedSync(_:)``). Linux may leave the pages it could not write marked clean
/// in its cache, so a later sync succeeds without writing them (what PostgreSQL met in
/// 2018, and answers by stopping), while SQLite already counts them as copied: the log,
/// their only durable copy, could be started again over them. Exiting without closing the
/// database leaves the log as it is; the next start rebuilds SQLite's index of the log with
/// nothing counted as copied, and its first checkpoint copies all of it again.
final class WALCheckpointer: Sendable {
    /// The checkpoint connection.
    let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "tidings.sqlite.checkpoint", qos: .utility)
    private let logger: Logger?
    private let state: Mutex<State>
    /// Syncs the database file after a copy: ``syncDatabaseFile(of:)``, or a failure a test
    /// injects.
    private let syncFile: @Sendable (Database) throws -> Void

    /// The exit status after the database file could not be synced: `EX_IOERR` of
    /// `sysexits.h`, "an error occurred while doing I/O on some file".
    static let failedSyncExitCode: Int32 = 74

    private struct State {
        /// When the log is copied, and by whom.
        var schedule: CheckpointSchedule
        /// Checkpoints that ran on the checkpointer's thread, for tests.
        var completed = 0
        /// Copies of the rest of the log by the writer, for tests.
        var restarts = 0
        /// Checkpoints whose copy the checkpointer synced itself, for tests.
        var synced = 0
    }

    /// Opens the checkpoint connection to the database at `path`.
    ///
    /// - Parameters:
    ///   - synchronous: the store's level; the checkpoint's syncs follow it.
    ///   - schedule: when the log is copied, and by whom.
    ///   - syncFile: syncs the database file after a copy; tests make it fail.
    init(
        path: String, synchronous: SQLiteSynchronous, schedule: CheckpointSchedule, logger: Logger?,
        syncFile: @escaping @Sendable (Database) throws -> Void = WALCheckpointer.syncDatabaseFile(of:)
    ) throws {
        var configuration = Configuration()
        configuration.label = "tidings.checkpoint"
        configuration.busyMode = .timeout(SQLiteStatusStore.busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.pragmaValue)")
        }
        self.connection = try DatabaseQueue(path: path, configuration: configuration)
        self.state = Mutex(State(schedule: schedule))
        self.logger = logger
        self.syncFile = syncFile
    }

    /// How many checkpoints have run on the checkpointer's thread so far.
    var completedCheckpoints: Int { state.withLock { $0.completed } }

    /// How many times so far the writer has copied the rest of the log to start it again.
    var restarts: Int { state.withLock { $0.restarts } }

    /// How many checkpoints so far ended with the database file synced by the checkpointer.
    var syncedCheckpoints: Int { state.withLock { $0.synced } }

    /// Makes the checkpointer take over from SQLite's automatic checkpoint on `db`, the
    /// store's writer connection; call it once, in a write on that connection.
    ///
    /// The connection keeps the checkpointer alive as long as it is open, so its WAL hook
    /// never calls a checkpointer that is gone.
    func takeOver(from db: Database) {
        db.add(transactionObserver: ConnectionLifetime(checkpointer: self), extent: .databaseLifetime)
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, writer, _, pages in
            Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue()
                .writerCommitted(logPages: Int(pages), writer: writer)
            return SQLITE_OK
        }, context)
    }

    /// Holds a checkpointer for as long as the connection it is added to is open (GRDB keeps
    /// a transaction observer of `.databaseLifetime` that long); it observes nothing.
    private final class ConnectionLifetime: TransactionObserver {
        let checkpointer: WALCheckpointer
        init(checkpointer: WALCheckpointer) { self.checkpointer = checkpointer }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) {}
        func databaseDidRollback(_ db: Database) {}
    }

    /// On the writer's thread, inside its commit: what the log's size asks for.
    private func writerCommitted(logPages: Int, writer: OpaquePointer?) {
        let step = state.withLock { state in
            let step = state.schedule.writerCommitted(logPages: logPages)
            if step == .copyRest {
                state.restarts += 1
            }
            return step
        }
        switch step {
        case .none:
            break
        case .copyRest:
            // Busy when another process checkpoints: the log then restarts after theirs.
            _ = sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        case .startCheckpoint:
            queue.async { self.checkpoint() }
        }
    }

    private func checkpoint() {
        var copiedPages: Int?
        var synced = false
        do {
            try connection.writeWithoutTransaction { db in
                let copied = try db.checkpoint(.passive).checkpointedFrameCount
                copiedPages = copied
                // Whether SQLite synced the file too (when the copy reached the end of the log
                // as it stood once the copy was done) the counts do not say; a second sync
                // finds nothing left to write.
                if copied > 0 {
                    do {
                        try syncFile(db)
                    } catch {
                        stopAfterFailedSync(error)
                    }
                    synced = true
                }
            }
        } catch {
            logger?.warning(
                "the SQLite write-ahead log could not be copied into the database file; it is tried again after the next commit",
                metadata: ["error": "\(error)"])
        }
        state.withLock { state in
            state.schedule.checkpointFinished(copiedPages: copiedPages)
            state.completed += 1
            if synced {
                state.synced += 1
            }
        }
    }

    /// Ends the process at once, after the database file could not be synced (see the type's
    /// documentation): it says why, then exits with ``failedSyncExitCode`` without closing
    /// the database, since closing it would checkpoint once more from the same counts.
    private func stopAfterFailedSync(_ error: any Error) -> Never {
        let message = "the SQLite database file could not be synced after a checkpoint (\(error)); Tidings stops "
            + "so that its next start copies the whole write-ahead log into the file again. Check the disk "
            + "(dmesg, free space), then start Tidings again: every acknowledged callback is in the log"
        if let logger {
            logger.critical("\(message)")
        } else {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        _exit(Self.failedSyncExitCode)
    }

    /// Syncs the database file of `db` through SQLite's own handle of it (its VFS's `xSync`,
    /// as a checkpoint does), so that the pages a checkpoint copied are on the disk.
    static func syncDatabaseFile(of db: Database) throws {
        var file: UnsafeMutablePointer<sqlite3_file>?
        let found = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &file)
        guard found == SQLITE_OK, let file, let sync = file.pointee.pMethods?.pointee.xSync else {
            throw DatabaseError(resultCode: ResultCode(rawValue: found == SQLITE_OK ? SQLITE_MISUSE : found))
        }
        let code = sync(file, SQLITE_SYNC_NORMAL)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code))
        }
    }
}

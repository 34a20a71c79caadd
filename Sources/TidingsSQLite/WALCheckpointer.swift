import Dispatch
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
///    which replaces the automatic checkpoint). From ``threshold`` pages on, the writer
///    asks this checkpointer to copy them, and goes on committing.
/// 2. The checkpointer copies every page the log held when it started (`PASSIVE`: it waits
///    for no reader and no writer), syncs the database file, and says it is done.
/// 3. The writer's next commit then copies the few pages appended meanwhile itself, an
///    ordinary passive checkpoint with little left to do. With the whole log in the
///    database file, SQLite's next write starts the log again from its beginning, so the
///    file stops growing — which a checkpointer that only ever ran beside a busy writer
///    would never let happen.
///
/// The checkpoint connection syncs at the store's ``SQLiteSynchronous`` level, so the
/// database file is synced before the log is ever started again: what a commit made durable
/// stays durable. A checkpoint that fails (a full disk) is logged; one that a reader's old
/// snapshot holds back copies what it can. Either way the writer's next commit copies what
/// it can too, and the next commit past the threshold starts another.
final class WALCheckpointer: Sendable {
    /// How many pages of log start a checkpoint: a quarter of SQLite's `wal_autocheckpoint`
    /// default.
    ///
    /// The commits' syncs of the log queue at the disk behind a checkpoint's writes into the
    /// database file, and on a store of a million messages those pages lie all over the
    /// file. Checkpoints of 250 pages kept p99 at a steady 1,000 and 2,500 callbacks a
    /// second at 2.4–2.7 and 3.7–4.4 ms, against 3.8–4.5 and 5.7–6.5 ms with 1,000 pages
    /// and worse with 4,000; they cost about a tenth of the callbacks a second at
    /// saturation (bench/REPORT.md, "Results on a store that is not empty").
    static let defaultThreshold = 250

    /// How many pages of log start a checkpoint.
    let threshold: Int
    /// The checkpoint connection.
    let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "tidings.sqlite.checkpoint", qos: .utility)
    private let logger: Logger?
    private let state = Mutex(State())

    private struct State {
        /// A checkpoint is running on the checkpointer's thread.
        var isRunning = false
        /// A checkpoint ended since the writer last committed: the writer copies the rest.
        var hasFinished = false
        /// Checkpoints that ran on the checkpointer's thread, for tests.
        var completed = 0
    }

    /// Opens the checkpoint connection to the database at `path`.
    ///
    /// - Parameters:
    ///   - synchronous: the store's level; the checkpoint's syncs follow it.
    ///   - threshold: how many pages of log start a checkpoint.
    init(path: String, synchronous: SQLiteSynchronous, threshold: Int, logger: Logger?) throws {
        var configuration = Configuration()
        configuration.label = "tidings.checkpoint"
        configuration.busyMode = .timeout(SQLiteStatusStore.busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.pragmaValue)")
        }
        self.connection = try DatabaseQueue(path: path, configuration: configuration)
        self.threshold = threshold
        self.logger = logger
    }

    /// How many checkpoints have run on the checkpointer's thread so far.
    var completedCheckpoints: Int { state.withLock { $0.completed } }

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
        enum Step { case none, copyRest, startCheckpoint }
        let step = state.withLock { state -> Step in
            if state.hasFinished {
                state.hasFinished = false
                return .copyRest
            }
            guard logPages >= threshold, !state.isRunning else { return .none }
            state.isRunning = true
            return .startCheckpoint
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
        do {
            try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            logger?.warning(
                "the SQLite write-ahead log could not be copied into the database file; it is tried again after the next commit",
                metadata: ["error": "\(error)"])
        }
        state.withLock { state in
            state.isRunning = false
            state.hasFinished = true
            state.completed += 1
        }
    }
}

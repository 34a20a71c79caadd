/// When the store's write-ahead log is copied into the database file, and by whom: the
/// decisions of ``WALCheckpointer``, apart from its threads and connections, so that they
/// can be followed one commit at a time.
///
/// - The checkpointer copies what is new: once ``checkpointPages`` pages of the log are not
///   yet in the database file, the writer's commit starts a checkpoint on the
///   checkpointer's thread, which copies them and syncs the file.
/// - The writer starts the log again: once the log holds ``restartPages`` pages and a
///   checkpoint has finished since the last one started, the writer's commit copies the
///   few pages appended meanwhile itself. With the whole log in the database file, SQLite's
///   next write starts the log from its beginning, so the file stops growing — which a
///   checkpointer that only ever ran beside a busy writer would never let happen.
///
/// The writer's copy ends with a sync of the database file on the thread every callback
/// waits for, so it comes once every ``restartPages`` pages of log, not after every
/// checkpoint.
struct CheckpointSchedule: Sendable {
    /// What a commit of the writer asks for.
    enum Step: Equatable, Sendable {
        /// Nothing: the log is small enough, or a checkpoint is running.
        case none
        /// The checkpointer copies the pages not yet in the database file.
        case startCheckpoint
        /// The writer copies the rest of the log, so that the log starts again.
        case copyRest
    }

    /// How many pages of log not yet in the database file start a checkpoint: a quarter of
    /// SQLite's `wal_autocheckpoint` default.
    ///
    /// The commits' syncs of the log queue at the disk behind a checkpoint's writes into the
    /// database file, and on a store of a million messages those pages lie all over the
    /// file. Checkpoints of 250 pages kept p99 at a steady 1,000 and 2,500 callbacks a
    /// second at 2.4–2.7 and 3.7–4.4 ms, against 3.8–4.5 and 5.7–6.5 ms with 1,000 pages
    /// and worse with 4,000 (bench/REPORT.md, "Results on a store that is not empty").
    static let standardCheckpointPages = 250

    /// From how many pages of log the writer copies the rest so that the log starts again:
    /// 16 MB of log at SQLite's default page size.
    ///
    /// When the writer copied the rest after every checkpoint, at saturation it copied
    /// about 40 % of the pages checkpointed and synced the database file some fifty times a
    /// second, all on the thread every callback waits for. Once every 4,000 pages,
    /// alternated on a store of a million messages, Tidings took more callbacks a second in
    /// all six rounds (+0.3 to +28 %, +15 % at the median) at the same p99 at a steady 1,000
    /// and 2,500 a second (bench/REPORT.md, "Results on a store that is not empty").
    static let standardRestartPages = 4_000

    /// The store's schedule: ``standardCheckpointPages`` and ``standardRestartPages``.
    static let standard = CheckpointSchedule(
        checkpointPages: standardCheckpointPages, restartPages: standardRestartPages)

    /// How many pages of log not yet in the database file start a checkpoint.
    let checkpointPages: Int
    /// From how many pages of log the writer copies the rest, once a checkpoint has finished.
    let restartPages: Int

    /// A checkpoint is running on the checkpointer's thread.
    private(set) var isRunning = false
    /// A checkpoint has finished since the last one started.
    private(set) var hasFinished = false
    /// How many pages of the current log are already in the database file, as the last
    /// checkpoint found.
    private(set) var copiedPages = 0

    /// A schedule that starts a checkpoint at `checkpointPages` pages not yet copied and
    /// starts the log again from `restartPages` pages (at least `checkpointPages`).
    init(checkpointPages: Int, restartPages: Int) {
        self.checkpointPages = checkpointPages
        self.restartPages = max(restartPages, checkpointPages)
    }

    /// The step the writer's commit takes, now that the log holds `logPages` pages; marks a
    /// checkpoint as running when it starts one.
    mutating func writerCommitted(logPages: Int) -> Step {
        if logPages < copiedPages {
            // The log started again, after a checkpoint that copied all of it: the writer's,
            // the checkpointer's, or another process's.
            copiedPages = 0
        }
        if hasFinished, logPages >= restartPages {
            hasFinished = false
            copiedPages = 0
            return .copyRest
        }
        guard !isRunning, logPages - copiedPages >= checkpointPages else { return .none }
        isRunning = true
        hasFinished = false
        return .startCheckpoint
    }

    /// Records the end of the checkpointer's checkpoint: `copiedPages` of the log are in
    /// the database file, or nil when the checkpoint failed.
    mutating func checkpointFinished(copiedPages: Int?) {
        isRunning = false
        hasFinished = true
        if let copiedPages {
            self.copiedPages = max(copiedPages, 0)
        }
    }
}

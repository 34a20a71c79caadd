/// How much of a commit survives a crash: SQLite's `PRAGMA synchronous`, as
/// ``SQLiteStatusStore`` sets it on its writer connection (always in WAL mode).
///
/// The database itself is never corrupted at either level; what differs is whether the
/// last acknowledged callbacks can be lost — and a callback acknowledged to Twilio but
/// lost is one Twilio will never send again. The raw value (`normal`, `full`) is how
/// configuration spells the level.
public enum SQLiteSynchronous: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `NORMAL`: the write-ahead log is synced only at checkpoints. A commit survives the
    /// Tidings process crashing or being killed, but the last commits before a power loss
    /// or an operating-system crash may be rolled back.
    case normal
    /// `FULL` (the default): the write-ahead log is synced on every commit. A commit also
    /// survives power loss and operating-system crashes. Group commit shares each sync
    /// among all the callbacks waiting at that moment, which keeps this level cheap.
    case full

    /// The value as `PRAGMA synchronous` takes it.
    var pragmaValue: String {
        switch self {
        case .normal: "NORMAL"
        case .full: "FULL"
        }
    }

    /// What a commit at this level survives, in the words the settings use:
    /// `power loss` or `a crash of Tidings`.
    public var survives: String {
        switch self {
        case .normal: "a crash of Tidings"
        case .full: "power loss"
        }
    }

    public var description: String { rawValue }
}

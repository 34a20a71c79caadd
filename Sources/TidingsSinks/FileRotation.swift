/// When the ``FileSink`` closes its active file and starts a new one, and how many closed
/// files it keeps.
///
/// The active file keeps its name (`events.jsonl`); a closed file is renamed with the time
/// it was closed (`events-2026-11-23T190407Z.jsonl`) or, when the day ended, with that
/// UTC day (`events-2026-11-23.jsonl`); a `-2`, `-3`, … is added if the name is taken.
public struct FileRotation: Sendable, Equatable {
    /// Start a new file before a batch would take the active file past this many bytes;
    /// nil for no size limit. A batch is never split, so a file is larger only when one
    /// batch alone is larger. Default 100 MiB.
    public var maximumBytes: Int64?
    /// Start a new file with the first batch of each UTC day, so that each closed file
    /// holds the changes of one day (and of at most `maximumBytes`). Default off.
    public var daily: Bool
    /// How many closed files to keep besides the active one; after every rotation the
    /// oldest beyond this number are deleted. At least 1. Default 14.
    public var retainedFiles: Int

    /// Rotation with the given limits; the defaults are 100 MiB files, no daily rotation,
    /// 14 closed files kept.
    public init(maximumBytes: Int64? = 100 * 1024 * 1024, daily: Bool = false, retainedFiles: Int = 14) {
        self.maximumBytes = maximumBytes
        self.daily = daily
        self.retainedFiles = retainedFiles
    }

    /// One ever-growing file: no rotation, nothing deleted.
    public static let never = FileRotation(maximumBytes: nil, daily: false)
}

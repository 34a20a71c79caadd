/// When the ``FileSink`` asks the operating system to put what it wrote on the disk.
///
/// The dispatcher moves a sink's outbox cursor past a batch as soon as
/// ``FileSink/deliver(_:)`` returns, so the policy decides what a returned `deliver`
/// promises.
public enum FileSyncPolicy: Sendable, CaseIterable {
    /// `fsync` after every batch, before `deliver` returns: a delivered batch survives a
    /// crash of the process, of the operating system and a power cut. Costs one disk flush
    /// per batch (milliseconds on spinning disks, less on SSDs). The default.
    case everyBatch
    /// No `fsync`: when `deliver` returns the batch is in the operating system's page
    /// cache, which survives a crash of the process (even `kill -9`) but not of the
    /// operating system or a power cut — the lines written in the last seconds before one
    /// may be missing although the outbox counts them as delivered.
    case none
}

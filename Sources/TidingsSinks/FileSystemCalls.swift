import Foundation

/// The system calls that change an ``AppendingFile``'s contents — `write` and `ftruncate` —
/// as values, so that a test can make a real file run out of room at a chosen byte (a
/// short write, then `ENOSPC`) or fail a truncation, which a real disk does only when it
/// likes.
///
/// Both follow the C conventions: the result is what the call returns, and on failure
/// `errno` says why.
struct FileSystemCalls: Sendable {
    /// `write(descriptor, bytes, count)`: how many bytes were written, or -1.
    var write: @Sendable (_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int
    /// `ftruncate(descriptor, size)`: 0, or -1.
    var truncate: @Sendable (_ descriptor: Int32, _ size: Int64) -> Int32

    /// The system's own.
    static let system = FileSystemCalls(
        write: { descriptor, bytes, count in Foundation.write(descriptor, bytes, count) },
        truncate: { descriptor, size in Foundation.ftruncate(descriptor, off_t(size)) })
}

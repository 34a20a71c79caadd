import Foundation

/// A failed operation on a file or folder, in words: what was being done, to which path,
/// and the system's reason (`cannot write to /var/tidings/events.jsonl: No space left on device`).
struct FileSystemError: Error, CustomStringConvertible {
    let description: String

    /// The error of the system call that just failed, read from `errno`.
    init(_ action: String, path: String, errorNumber: Int32 = errno) {
        description = "cannot \(action) \(path): \(String(cString: strerror(errorNumber)))"
    }

    /// The error of a Foundation call that failed with `underlying`.
    init(_ action: String, path: String, underlying: any Error) {
        description = "cannot \(action) \(path): \(underlying.localizedDescription)"
    }
}

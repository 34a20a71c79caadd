import Foundation

/// An exclusive claim on the SQLite data directory by one `tidings serve`: two processes
/// writing one store would each believe they own its sinks' cursors and its outbox.
///
/// The claim is an advisory lock (`flock`) on `tidings.lock` in the directory, held for the
/// life of the value and released by the system however the process ends, so a crash
/// never leaves a stale claim. The file says who holds it (process id, host, since when),
/// so the second process can say so.
public final class DataDirectoryLock: Sendable {
    /// The lock file's path.
    public let path: String

    /// The name under which the holder of this claim feeds the sinks (the dispatcher's
    /// instance). It is the same for every process that holds the claim in turn — and only
    /// one can hold it — so a `serve` restarted after a crash takes the sinks' leases back
    /// at once, instead of waiting for the dead process's leases to run out.
    public var sinkFeederName: String { "data-directory:" + path }
    private let descriptor: Int32

    /// Takes the claim on `directory`, creating the directory if needed.
    ///
    /// - Throws: ``DataDirectoryLockError`` when another process holds it, or the file
    ///   cannot be opened.
    public init(directory: String) throws {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("tidings.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DataDirectoryLockError(
                message: "cannot open \(path) to claim the data directory: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw DataDirectoryLockError(
                message: "another tidings serve already uses the data directory \(directory)\(holder.map { $0.isEmpty ? "" : " (\($0))" } ?? ""). Stop it, or give this one its own --data-dir; several instances share one store through PostgreSQL (--store postgres://…).")
        }
        let holder = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = holder.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}

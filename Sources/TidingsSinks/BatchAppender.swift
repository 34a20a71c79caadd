import Foundation

/// Appends batches of whole lines to an ``AppendingFile`` so that the file never keeps part
/// of a batch: the log sink's and the file sink's "append it all, or roll back".
///
/// A batch is written whole (and flushed, if asked), or the file is cut back to the size
/// it had before the batch — a full disk lets a `write` put half a line there — and the
/// error is thrown, so the dispatcher's retry starts on a line of its own. When the cut
/// fails too, the appender remembers the size, and every later ``append(_:synchronize:)``
/// or ``size()`` first cuts the file back to it, writing nothing until that succeeds.
///
/// Cutting back assumes that nobody else appends to the file meanwhile (their lines would
/// be cut too). A file that cannot be cut — a pipe, a terminal, a device such as
/// `/dev/stdout` or `/dev/full` — keeps the plain behaviour: a failed write may leave a
/// broken line there, which the retry follows.
///
/// It owns the file and closes it when released. Not thread-safe: its owner keeps it
/// behind a lock.
final class BatchAppender {
    let file: AppendingFile
    /// Whether the file is a regular file, which can be cut back.
    private let canCutBack: Bool
    /// Where the file must be cut back to before anything else is written: after a failed
    /// batch whose cut failed too.
    private var pendingCut: Int64?

    /// Takes `file` over.
    init(_ file: AppendingFile) throws {
        self.file = file
        do {
            canCutBack = try file.isRegularFile()
        } catch {
            file.close()
            throw error
        }
    }

    deinit {
        file.close()
    }

    /// The file's size, once what a failed batch left is cut back.
    ///
    /// - Throws: ``FileSystemError`` when the file cannot be cut back (yet) or inspected.
    func size() throws -> Int64 {
        if let size = pendingCut {
            try file.truncate(to: size)
            pendingCut = nil
        }
        return try file.size()
    }

    /// Appends `lines` — whole lines — and, with `synchronize`, flushes them to the
    /// storage device; on any failure cuts the file back to where it was and throws.
    ///
    /// - Throws: ``FileSystemError`` naming the file and the system's reason.
    func append(_ lines: Data, synchronize: Bool) throws {
        let size = try self.size()
        do {
            try file.append(lines)
            if synchronize { try file.synchronize() }
        } catch {
            if canCutBack {
                do {
                    try file.truncate(to: size)
                } catch {
                    pendingCut = size
                }
            }
            throw error
        }
    }
}

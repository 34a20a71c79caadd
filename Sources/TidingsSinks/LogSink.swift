import Foundation
import Synchronization
import TidingsCore

/// Writes every status change as one JSON object per line — to standard output by
/// default, so that `tidings serve | jq` works, or appended to a file that people tail.
///
/// Each batch is written with a single `write` call as soon as it arrives (no buffering),
/// so a reader sees whole lines, in order. The fields are those of ``LogSinkLine``. The
/// write runs on a dispatch queue of the sink's own, never on a thread of Swift's
/// cooperative pool: a stalled `tidings serve | consumer` pipe blocks that queue only, not
/// the tasks that answer callbacks.
///
/// A file (``appending(toFile:)``) never keeps a broken line: a batch a full disk cuts
/// short is cut back to the last whole line before the error is thrown, so the retry does
/// not follow a fragment (see ``BatchAppender``). Standard output or another handle — a
/// pipe, a terminal — cannot be cut back: there a failed write may leave part of a line.
public final class LogSink: EventSink {
    /// Where the lines go.
    private enum Output {
        /// An open handle: standard output, a pipe.
        case handle(FileHandle)
        /// A file the sink opened for appending, and closes.
        case file(BatchAppender)
    }

    /// Always `log`.
    public let name = "log"
    private let output: Mutex<Output>
    /// Where the blocking writes run.
    private let queue = DispatchQueue(label: "tidings.sinks.log")

    /// A sink that writes to standard output.
    public static func standardOutput() -> LogSink {
        LogSink(handle: .standardOutput)
    }

    /// A sink that appends to the file at `path`, creating it (and its folder) if needed.
    ///
    /// - Throws: ``SinkSetupError`` when the file cannot be opened for appending.
    public static func appending(toFile path: String) throws -> LogSink {
        try appending(toFile: path, calls: .system)
    }

    /// ``appending(toFile:)`` with the system calls that write the file (for tests).
    static func appending(toFile path: String, calls: FileSystemCalls) throws -> LogSink {
        do {
            return LogSink(output: .file(try BatchAppender(AppendingFile(path: path, calls: calls))))
        } catch let error as FileSystemError {
            throw SinkSetupError(error.description)
        }
    }

    /// A sink that writes to an open file handle.
    public convenience init(handle: FileHandle) {
        self.init(output: .handle(handle))
    }

    private init(output: sending Output) {
        self.output = Mutex(output)
    }

    /// Writes `batch`, one ``LogSinkLine`` per change, in order, with a single `write`
    /// on the sink's queue.
    ///
    /// - Throws: ``TidingsCore/SinkDeliveryError`` (never permanent: a closed pipe or a
    ///   full disk may be fixed) when the batch could not be written whole; a file is then
    ///   as it was before the batch.
    public func deliver(_ batch: [StatusChange]) async throws {
        let text = JSONLines.encode(batch.lazy.map(LogSinkLine.init))
        do {
            try await queue.perform { [self] in
                try output.withLock { output in
                    switch output {
                    case .handle(let handle): try handle.write(contentsOf: text)
                    case .file(let file): try file.append(text, synchronize: false)
                    }
                }
            }
        } catch {
            throw SinkDeliveryError("\(error)")
        }
    }
}

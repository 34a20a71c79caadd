import Dispatch
import Foundation
import Logging
import Synchronization
import TidingsCore

/// An archive of every status change as JSON lines: one ``TidingsCore/StatusChange`` per
/// line, complete (with ``TidingsCore/StatusChange/id`` and ``TidingsCore/StatusChange/seq``),
/// appended to a file whose size and age are kept in check by rotation.
///
/// The active file is the given path (`events.jsonl`); closed files lie beside it under
/// the names ``FileRotation`` describes, and read in order of their last change followed
/// by the active file, they hold every delivered change in delivery order. A line is read
/// back with `JSONCoding.makeDecoder()`.
///
/// ``deliver(_:)`` writes the whole batch or throws, leaving the file as it was (a write
/// that fails half-way, as on a full disk, is cut back; when even that fails, the next
/// delivery cuts it back before writing — see ``BatchAppender``), so a retried batch never
/// follows a broken line. As
/// delivery is at least once, a batch may be archived twice (after a crash between
/// writing and the outbox cursor moving): readers dedupe by `id`. What a returned
/// `deliver` survives is the ``FileSyncPolicy``'s choice. The blocking file work runs on
/// a queue of the sink's own, not on the tasks that serve callbacks.
public final class FileSink: EventSink {
    /// The name given at creation (default `file`).
    public let name: String
    /// The path of the active file.
    public let path: String
    private let archive: Mutex<FileArchive>
    private let queue: DispatchQueue
    private let now: @Sendable () -> Date

    /// A sink that appends to the file at `path`, creating it and its folder if needed.
    ///
    /// - Parameters:
    ///   - path: The active file (`/var/lib/tidings/events.jsonl`); closed files are
    ///     written beside it, so the folder should hold nothing else named like them.
    ///   - rotation: When to start a new file and how many old ones to keep; by default at
    ///     100 MiB, keeping 14. ``FileRotation/never`` keeps one file forever.
    ///   - sync: Whether each batch is flushed to disk before `deliver` returns (the
    ///     default, ``FileSyncPolicy/everyBatch``) or left to the operating system.
    ///   - name: The sink's name in logs, metrics and the outbox cursor; two file sinks need
    ///     two names. Default `file`.
    ///   - logger: Where problems that do not fail a delivery go (an old file that could
    ///     not be deleted).
    /// - Throws: ``SinkSetupError`` for a rotation of no retained files or no bytes, or
    ///   when the file cannot be opened.
    public convenience init(
        path: String, rotation: FileRotation = FileRotation(), sync: FileSyncPolicy = .everyBatch,
        name: String = "file", logger: Logger = Logger(label: "tidings.sinks.file")
    ) throws {
        try self.init(path: path, rotation: rotation, sync: sync, name: name, logger: logger, now: { Date() })
    }

    /// The designated initialiser, with the clock that decides rotation and the system
    /// calls that write the files (for tests).
    init(
        path: String, rotation: FileRotation, sync: FileSyncPolicy, name: String, logger: Logger,
        now: @escaping @Sendable () -> Date, calls: FileSystemCalls = .system
    ) throws {
        do {
            archive = Mutex(
                try FileArchive(
                    path: path, rotation: rotation, syncPolicy: sync, logger: logger, now: now(), calls: calls))
        } catch let error as FileSystemError {
            throw SinkSetupError(error.description)
        }
        self.name = name
        self.path = path
        self.queue = DispatchQueue(label: "tidings.sinks.file.\(name)")
        self.now = now
    }

    /// Appends `batch`, one line per change, in order; with ``FileSyncPolicy/everyBatch``
    /// flushed to disk before returning. An empty batch writes nothing.
    ///
    /// - Throws: ``TidingsCore/SinkDeliveryError`` (never permanent) naming the path and
    ///   the system's reason, when the batch could not be written whole.
    public func deliver(_ batch: [StatusChange]) async throws {
        guard !batch.isEmpty else { return }
        let lines = JSONLines.encode(batch)
        let now = now()
        do {
            try await queue.perform {
                try self.archive.withLock { try $0.append(lines, at: now) }
            }
        } catch {
            throw SinkDeliveryError("\(error)")
        }
    }
}

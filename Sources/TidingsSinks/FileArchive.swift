import Foundation
import Logging

/// The state behind a ``FileSink``: the open active file, when to rotate it and which
/// closed files to delete. Not thread-safe: the sink keeps it behind a lock.
final class FileArchive {
    private let names: FileArchiveNames
    private let rotation: FileRotation
    private let syncPolicy: FileSyncPolicy
    private let logger: Logger
    /// The system calls that write and truncate the files (the system's, except in tests).
    private let calls: FileSystemCalls
    /// The active file; nil after a rotation whose new file could not be opened (the next
    /// batch tries again).
    private var file: BatchAppender?
    /// The UTC day (``FileArchiveNames/dayStamp(_:)``) of the active file's first line;
    /// meaningful while the file is not empty.
    private var day: String

    /// Opens (or creates) the active file at `path`. An existing, non-empty file is taken
    /// as belonging to the UTC day it was last written on.
    init(
        path: String, rotation: FileRotation, syncPolicy: FileSyncPolicy, logger: Logger, now: Date,
        calls: FileSystemCalls = .system
    ) throws {
        guard rotation.retainedFiles >= 1 else {
            throw SinkSetupError("the file sink must retain at least 1 closed file, not \(rotation.retainedFiles)")
        }
        if let maximumBytes = rotation.maximumBytes, maximumBytes < 1 {
            throw SinkSetupError("the file sink's maximum file size must be at least 1 byte, not \(maximumBytes)")
        }
        names = FileArchiveNames(activePath: path)
        self.rotation = rotation
        self.syncPolicy = syncPolicy
        self.logger = logger
        self.calls = calls
        day = FileArchiveNames.dayStamp(now)
        let file = try openActiveFile()
        if try file.size() > 0,
            let modified = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        {
            day = FileArchiveNames.dayStamp(modified)
        }
        deleteSurplusClosedFiles()
    }

    /// Appends `lines` (whole JSON lines) to the active file, rotating first if the
    /// rotation rules say so at `now`. Either all of `lines` is written (and, with
    /// ``FileSyncPolicy/everyBatch``, flushed) or the file is cut back to where it was and
    /// the error is thrown; when even the cut fails, nothing is written (nor the file
    /// rotated) until a later call has cut it back (see ``BatchAppender``).
    func append(_ lines: Data, at now: Date) throws {
        var file = try self.file ?? openActiveFile()
        var size = try file.size()
        if size > 0, let stamp = rotationStamp(size: size, adding: lines.count, at: now) {
            file = try rotate(to: stamp)
            size = 0
        }
        if size == 0 { day = FileArchiveNames.dayStamp(now) }
        try file.append(lines, synchronize: syncPolicy == .everyBatch)
    }

    /// The stamp to close the active file with before adding `count` bytes to its `size`,
    /// or nil to keep writing to it.
    private func rotationStamp(size: Int64, adding count: Int, at now: Date) -> String? {
        if rotation.daily, day != FileArchiveNames.dayStamp(now) {
            return day
        }
        if let maximumBytes = rotation.maximumBytes, size + Int64(count) > maximumBytes {
            return FileArchiveNames.instantStamp(now)
        }
        return nil
    }

    /// Renames the active file to its closed name, opens a new active file and deletes the
    /// closed files beyond the retention. A name already taken gets the number after the
    /// highest one with the same stamp, so that names keep the order of closing.
    private func rotate(to stamp: String) throws -> BatchAppender {
        let sameStamp = try closedFiles().filter { $0.position.stamp == stamp }
        let number = (sameStamp.map(\.position.number).max() ?? 0) + 1
        let closedPath = names.folder.appending(path: names.closedName(stamp: stamp, number: number)).path
        guard rename(names.activePath, closedPath) == 0 else {
            throw FileSystemError("rename \(names.activePath) to", path: closedPath)
        }
        file = nil
        let newFile = try openActiveFile()
        deleteSurplusClosedFiles()
        return newFile
    }

    /// Opens the active file as ``file``; with ``FileSyncPolicy/everyBatch`` also flushes
    /// the folder, so that the file's name (and a closed file's new name) is durable too.
    private func openActiveFile() throws -> BatchAppender {
        let opened = try BatchAppender(AppendingFile(path: names.activePath, calls: calls))
        file = opened
        if syncPolicy == .everyBatch { try AppendingFile.synchronizeFolder(names.folder.path) }
        return opened
    }

    /// The closed files in the folder, with where each stands.
    private func closedFiles() throws -> [(name: String, position: ClosedFilePosition)] {
        let folder = names.folder.path
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw FileSystemError("list the folder", path: folder, underlying: error)
        }
        return entries.compactMap { name in names.closedFilePosition(name).map { (name, $0) } }
    }

    /// Deletes the oldest closed files (by the time their names say they were closed)
    /// beyond ``FileRotation/retainedFiles``. A file that cannot be deleted is logged and
    /// left for the next rotation: the batch that caused the rotation is not failed for it.
    private func deleteSurplusClosedFiles() {
        let closedFiles: [(name: String, position: ClosedFilePosition)]
        do {
            closedFiles = try self.closedFiles()
        } catch {
            logger.warning("cannot look for old event files to delete", metadata: ["error": "\(error)"])
            return
        }
        let surplus = closedFiles.sorted { $0.position < $1.position }.dropLast(rotation.retainedFiles)
        for (name, _) in surplus {
            let path = names.folder.appending(path: name).path
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.warning("cannot delete an old event file", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }
}

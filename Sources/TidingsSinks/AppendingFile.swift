import Foundation

/// A file opened for appending with plain system calls: every `write` lands at the end,
/// even when another process appends too (`O_APPEND`), and the descriptor is not inherited
/// by child processes (`O_CLOEXEC`).
///
/// A value type over a descriptor: whoever opens one closes it (``close()``).
struct AppendingFile {
    let path: String
    let descriptor: Int32
    /// The system calls that write and truncate: the system's, except in tests.
    private let calls: FileSystemCalls

    /// Opens `path` for appending, creating the file (mode 0644) and its folder if needed.
    init(path: String, calls: FileSystemCalls = .system) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError("create the folder", path: folder.path, underlying: error)
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileSystemError("open for appending", path: path) }
        self.path = path
        self.descriptor = descriptor
        self.calls = calls
    }

    /// The file's size in bytes.
    func size() throws -> Int64 {
        Int64(try status().st_size)
    }

    /// Whether the file is a regular file, which can be cut back (``truncate(to:)``) —
    /// not a pipe, a terminal or a device such as `/dev/stdout`.
    func isRegularFile() throws -> Bool {
        (try status().st_mode & S_IFMT) == S_IFREG
    }

    private func status() throws -> stat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileSystemError("inspect", path: path) }
        return info
    }

    /// Appends all of `bytes`, in as many `write` calls as the system needs; throws at the
    /// first failure, which may leave part of `bytes` written (``BatchAppender`` cuts it
    /// back).
    func append(_ bytes: Data) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = calls.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError("write to", path: path)
                }
                offset += written
            }
        }
    }

    /// Waits until what was written is on the storage device (`fsync`).
    func synchronize() throws {
        guard fsync(descriptor) == 0 else { throw FileSystemError("flush to disk", path: path) }
    }

    /// Cuts the file back to `size` bytes: undoes a write that failed half-way, so that a
    /// retry does not follow a broken line.
    func truncate(to size: Int64) throws {
        guard calls.truncate(descriptor, size) == 0 else { throw FileSystemError("truncate", path: path) }
    }

    /// Closes the descriptor. The value must not be used afterwards.
    func close() {
        _ = Foundation.close(descriptor)
    }
}

extension AppendingFile {
    /// Waits until the entries of `folder` — files created or renamed in it — are on the
    /// storage device: without it, a power cut may forget a new file although its contents
    /// were flushed.
    static func synchronizeFolder(_ folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError("open the folder", path: folder) }
        defer { _ = Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileSystemError("flush to disk the folder", path: folder) }
    }
}

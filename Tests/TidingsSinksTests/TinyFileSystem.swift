import Foundation
import TidingsTestSupport

/// A real file system that fills up: a `tmpfs` of a few KiB mounted on a fresh folder, for
/// tests that want the kernel's own short write and `ENOSPC`. Mounting needs root on
/// Linux; ``isAvailable`` says whether this machine lets the tests do it (elsewhere those
/// tests are skipped, and ``SimulatedDisk`` covers the same ground).
struct TinyFileSystem {
    let folder: URL

    /// Whether a tmpfs can be mounted here (tried once, with a mount and an unmount).
    static let isAvailable: Bool = {
        #if os(Linux)
        guard getuid() == 0, let directory = try? TemporaryDirectory() else { return false }
        defer { directory.remove() }
        guard run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", directory.url.path) else { return false }
        return run("/usr/bin/umount", directory.url.path)
        #else
        return false
        #endif
    }()

    /// Runs `body` with a tmpfs of `kibibytes` KiB mounted on a fresh folder, then unmounts it.
    static func with(kibibytes: Int, _ body: (TinyFileSystem) async throws -> Void) async throws {
        try await TemporaryDirectory.with { folder in
            guard run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", folder.path) else {
                throw MountError(description: "cannot mount a tmpfs on \(folder.path)")
            }
            defer { _ = run("/usr/bin/umount", folder.path) }
            try await body(TinyFileSystem(folder: folder))
        }
    }

    /// Gives the file system room for `kibibytes` KiB, keeping what it holds.
    func resize(kibibytes: Int) throws {
        guard Self.run("/usr/bin/mount", "-o", "remount,size=\(kibibytes)k", folder.path) else {
            throw MountError(description: "cannot resize the tmpfs on \(folder.path)")
        }
    }

    private struct MountError: Error, CustomStringConvertible {
        let description: String
    }

    private static func run(_ executable: String, _ arguments: String...) -> Bool {
        ChildProcess.succeeds(executable, arguments)
    }
}

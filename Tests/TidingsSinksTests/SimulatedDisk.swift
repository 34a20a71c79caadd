import Foundation
import Synchronization
@testable import TidingsSinks

/// A disk that fills up when a test says: the system calls of an ``AppendingFile`` that
/// write through to the real file until the room left is used up — the write that crosses
/// it is cut short, a real partial write, and the next one fails with `ENOSPC` — and whose
/// `ftruncate` can be made to fail.
final class SimulatedDisk: Sendable {
    /// Bytes that may still be written; nil for no limit.
    private let room = Mutex<Int?>(nil)
    private let truncationFails = Atomic<Bool>(false)
    private let truncations = Atomic<Int>(0)

    /// From now on, `bytes` more bytes fit (nil: as many as the real disk takes).
    func leaveRoom(_ bytes: Int?) {
        room.withLock { $0 = bytes }
    }

    /// Whether `ftruncate` fails (with `EIO`) from now on.
    func failTruncation(_ fails: Bool) {
        truncationFails.store(fails, ordering: .relaxed)
    }

    /// How many times `ftruncate` was called.
    var truncationCount: Int { truncations.load(ordering: .relaxed) }

    var calls: FileSystemCalls {
        FileSystemCalls(
            write: { descriptor, bytes, count in
                let allowed = self.room.withLock { room -> Int in
                    guard let left = room else { return count }
                    let allowed = min(left, count)
                    room = left - allowed
                    return allowed
                }
                guard allowed > 0 else {
                    errno = ENOSPC
                    return -1
                }
                return FileSystemCalls.system.write(descriptor, bytes, allowed)
            },
            truncate: { descriptor, size in
                self.truncations.add(1, ordering: .relaxed)
                if self.truncationFails.load(ordering: .relaxed) {
                    errno = EIO
                    return -1
                }
                return FileSystemCalls.system.truncate(descriptor, size)
            })
    }
}

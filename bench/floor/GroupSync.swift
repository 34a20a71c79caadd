import Dispatch
import NIOCore
import Synchronization

/// Group commit in its simplest form: callers hand a body over and wait; a serial queue
/// commits every body waiting (at most 256, as Tidings' group commit takes) with one call
/// of `commit`, which returns once they are durable, and then resumes their callers.
final class GroupSync: Sendable {
    /// Stores the bodies durably, in order, or throws.
    typealias Commit = @Sendable ([ByteBuffer]) throws -> Void

    private struct Waiting {
        var bodies: [(ByteBuffer, CheckedContinuation<Void, any Error>)] = []
        var isCommitting = false
    }

    private let commit: Commit
    private let waiting = Mutex(Waiting())
    private let queue = DispatchQueue(label: "durable-floor.commit")

    init(commit: @escaping Commit) {
        self.commit = commit
    }

    /// Returns once `body` is committed with the group it joined.
    func store(_ body: ByteBuffer) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let mustStart = waiting.withLock { waiting in
                waiting.bodies.append((body, continuation))
                guard !waiting.isCommitting else { return false }
                waiting.isCommitting = true
                return true
            }
            if mustStart { queue.async { self.commitWhileWaiting() } }
        }
    }

    private func commitWhileWaiting() {
        while let group = nextGroup() {
            let outcome = Result { try commit(group.map(\.0)) }
            for (_, continuation) in group { continuation.resume(with: outcome) }
        }
    }

    /// The bodies waiting now, at most 256; nil, and the queue idle, when none wait.
    private func nextGroup() -> [(ByteBuffer, CheckedContinuation<Void, any Error>)]? {
        waiting.withLock { waiting in
            guard !waiting.bodies.isEmpty else {
                waiting.isCommitting = false
                return nil
            }
            let group = Array(waiting.bodies.prefix(256))
            waiting.bodies.removeFirst(group.count)
            return group
        }
    }
}
